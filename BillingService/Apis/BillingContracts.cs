using Gateway.BillingService.Model;

namespace Gateway.BillingService.Apis;

// Request bodies: every member nullable, so a missing field is a validation error with its name
// rather than a JSON error. Unknown fields are ignored.

/// <summary><c>POST /reservations</c>. <c>ttlSeconds</c> and <c>idempotencyKey</c> are optional.</summary>
internal sealed record ReserveRequest(
    string? AccountId,
    string? Reference,
    string? Provider,
    string? Operation,
    long? Amount,
    string? AmountType,
    long? TtlSeconds,
    string? IdempotencyKey);

/// <summary><c>POST /reservations/{id}/finalize</c>: <c>amount</c> required (0 releases), <c>reason</c> optional.</summary>
internal sealed record FinalizeRequest(long? Amount, string? Reason);

/// <summary><c>POST /reservations/{id}/release</c>: <c>reason</c> required.</summary>
internal sealed record ReleaseRequest(string? Reason);

/// <summary><c>POST /accounts/{id}/credits</c>: both required.</summary>
internal sealed record CreditRequest(long? Amount, string? IdempotencyKey);

/// <summary>A reservation as the API shows it.</summary>
internal sealed record ReservationView(
    string ReservationId,
    string AccountId,
    string Reference,
    string Provider,
    string Operation,
    long Amount,
    AmountType AmountType,
    ReservationStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    long? FinalAmount,
    long? Overage,
    string? Reason,
    DateTimeOffset? ResolvedAt)
{
    public static ReservationView From(Reservation r) => new(
        r.Id, r.AccountId, r.Reference, r.Provider, r.Operation, r.Amount, r.AmountType, r.Status,
        r.CreatedAt, r.ExpiresAt, r.FinalAmount, r.Overage, r.Reason, r.ResolvedAt);
}

/// <summary>An account as the API shows it; <c>entryCount</c> is the number of ledger entries.</summary>
internal sealed record AccountView(
    string AccountId,
    long Balance,
    long Held,
    long Available,
    long Credited,
    long Charged,
    long EntryCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static AccountView From(Account a) => new(
        a.Id, a.Balance, a.Held, a.Available, a.Credited, a.Charged, a.NextEntrySeq - 1, a.CreatedAt, a.UpdatedAt);
}

/// <summary>The answer to a credit, the same for every replay of its idempotency key.</summary>
internal sealed record CreditView(string AccountId, long Amount, long EntrySeq, long BalanceAfter, DateTimeOffset CreditedAt);

/// <summary>One ledger entry as the API shows it.</summary>
internal sealed record EntryView(
    long Seq,
    EntryKind Kind,
    long Amount,
    long BalanceAfter,
    long HeldAfter,
    DateTimeOffset At,
    string? ReservationId,
    long? Overage,
    string? Reason)
{
    public static EntryView From(LedgerEntry e) => new(e.Seq, e.Kind, e.Amount, e.BalanceAfter, e.HeldAfter, e.At, e.ReservationId, e.Overage, e.Reason);
}

/// <summary>A page of entries, oldest first; <c>nextFrom</c> is the <c>from</c> of the next page, null on the last.</summary>
internal sealed record EntriesPage(string AccountId, IReadOnlyList<EntryView> Entries, long? NextFrom);
