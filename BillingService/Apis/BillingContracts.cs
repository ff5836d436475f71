using System.Text.Json.Serialization;
using Gateway.BillingService.Model;

namespace Gateway.BillingService.Apis;

// Request bodies: every member nullable, so a missing field is a validation error with its name
// rather than a JSON error. Unknown fields are ignored; amounts are JSON integers only
// (MinorUnitsConverter), and BillingRequestBody refuses a field given twice.

/// <summary><c>POST /reservations</c>. <c>ttlSeconds</c> and <c>idempotencyKey</c> are optional.</summary>
internal sealed record ReserveRequest(
    string? AccountId,
    string? Reference,
    string? Provider,
    string? Operation,
    [property: JsonConverter(typeof(MinorUnitsConverter))] long? Amount,
    string? AmountType,
    long? TtlSeconds,
    string? IdempotencyKey);

/// <summary><c>POST /reservations/{id}/finalize</c>: <c>amount</c> required (0 releases), <c>reason</c> optional.</summary>
internal sealed record FinalizeRequest([property: JsonConverter(typeof(MinorUnitsConverter))] long? Amount, string? Reason);

/// <summary><c>POST /reservations/{id}/release</c>: <c>reason</c> required.</summary>
internal sealed record ReleaseRequest(string? Reason);

/// <summary><c>POST /accounts/{id}/credits</c>: both required.</summary>
internal sealed record CreditRequest([property: JsonConverter(typeof(MinorUnitsConverter))] long? Amount, string? IdempotencyKey);

/// <summary><c>PUT /accounts/{id}/credit-limit</c>: required, 0 to 10^15 minor units.</summary>
internal sealed record CreditLimitRequest([property: JsonConverter(typeof(MinorUnitsConverter))] long? CreditLimit);

/// <summary>A reservation as the API shows it; <c>finalAmount</c> is what was charged, <c>unpaid</c> what the account could not pay.</summary>
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
    long? Unpaid,
    string? Reason,
    DateTimeOffset? ResolvedAt)
{
    public static ReservationView From(Reservation r) => new(
        r.Id, r.AccountId, r.Reference, r.Provider, r.Operation, r.Amount, r.AmountType, r.Status,
        r.CreatedAt, r.ExpiresAt, r.FinalAmount, r.Overage, r.Unpaid, r.Reason, r.ResolvedAt);
}

/// <summary>
/// An account as the API shows it: <c>available</c> = balance + credit limit − held;
/// <c>unpaid</c> is what finalizes asked beyond what the account could pay; <c>entryCount</c> is the
/// number of ledger entries.
/// </summary>
internal sealed record AccountView(
    string AccountId,
    long Balance,
    long Held,
    long Available,
    long CreditLimit,
    long Credited,
    long Charged,
    long Unpaid,
    long EntryCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static AccountView From(Account a) => new(
        a.Id, a.Balance, a.Held, a.Available, a.CreditLimit, a.Credited, a.Charged, a.Unpaid, a.NextEntrySeq - 1, a.CreatedAt, a.UpdatedAt);
}

/// <summary>The answer to a credit, the same for every replay of its idempotency key.</summary>
internal sealed record CreditView(string AccountId, long Amount, long EntrySeq, long BalanceAfter, DateTimeOffset CreditedAt)
{
    public static CreditView From(string accountId, CreditIdempotency credit) => new(accountId, credit.Amount, credit.EntrySeq, credit.BalanceAfter, credit.CreditedAt);
}

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
