namespace Gateway.BillingService.Model;

/// <summary>
/// The state document <c>idem|reserve|{account}|{sha256(key)}</c>: the reservation a caller's
/// idempotency key created, written in the same transaction as the reservation.
/// </summary>
/// <param name="ReservationId">The reservation created.</param>
/// <param name="RequestHash">SHA-256 of the canonical request: a replay must match it.</param>
/// <param name="CreatedAt">When the key was first used.</param>
internal sealed record ReserveIdempotency(string ReservationId, string RequestHash, DateTimeOffset CreatedAt);

/// <summary>
/// The state document <c>idem|credit|{account}|{sha256(key)}</c>: a credit's result, so a replay
/// answers exactly what the first request answered.
/// </summary>
/// <param name="RequestHash">SHA-256 of the canonical request.</param>
/// <param name="Amount">The amount credited.</param>
/// <param name="EntrySeq">The credit's ledger entry.</param>
/// <param name="BalanceAfter">The balance right after the credit.</param>
/// <param name="CreditedAt">When it was credited.</param>
internal sealed record CreditIdempotency(string RequestHash, long Amount, long EntrySeq, long BalanceAfter, DateTimeOffset CreditedAt);
