namespace Gateway.ProxyService.Model;

/// <summary>
/// One tracked call (a submit and the task it started), stored at <see cref="StateKeys.Call"/> in
/// the proxy's own state. Changed only through <see cref="Services.CallTransitions.Apply"/> and
/// written only over the ETag it was read with, so concurrent requests about one call agree on a
/// single history. Holds no credential and no request header.
/// </summary>
internal sealed record CallRecord
{
    public required string CallId { get; init; }

    /// <summary>The provider's configured name.</summary>
    public required string Provider { get; init; }

    /// <summary>The submit route's name: the reservation's operation.</summary>
    public required string Operation { get; init; }

    public required CallStatus Status { get; init; }

    /// <summary>How it ended; null while it runs.</summary>
    public CallOutcome? Outcome { get; init; }

    /// <summary>The billing account (<c>X-Thread-Id</c>), when the caller named one.</summary>
    public string? AccountId { get; init; }

    /// <summary>SHA-256 of the submit (method, path, query, body), to tell an idempotent replay from a reuse of the key.</summary>
    public required string RequestHash { get; init; }

    /// <summary>The state key of the idempotency claim, when the submit had a key (a hash; never the key itself).</summary>
    public string? IdempotencyClaimKey { get; init; }

    public required BillingHold Billing { get; init; }

    /// <summary>The provider's task id, once it accepted the task.</summary>
    public string? TaskId { get; init; }

    /// <summary>The answer the submit got (replayed for its idempotency key).</summary>
    public CachedResponse? SubmitResponse { get; init; }

    /// <summary>The provider's terminal answer to a query (replayed to every later query).</summary>
    public CachedResponse? FinalResponse { get; init; }

    /// <summary>Why it failed or was rejected: <c>error_http_{code}</c>, the provider's code, <c>no_task_id</c>, ...</summary>
    public string? Reason { get; init; }

    /// <summary>What is owed to BillingService once the outcome is known; null for an unbilled call.</summary>
    public Settlement? Settlement { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>True when funds are held for the call (a reservation was made).</summary>
    public bool IsBilled => Billing.ReservationId is not null;

    public bool IsTerminal => Status is CallStatus.Completed or CallStatus.Failed or CallStatus.Rejected;
}

/// <summary>The billing side of a call.</summary>
/// <param name="Mode">The provider's billing mode when the call was made.</param>
/// <param name="Amount">The amount reserved (or that would have been), in minor units.</param>
/// <param name="AmountType"><c>estimate</c> or <c>fixed</c>.</param>
/// <param name="ReservationId">BillingService's reservation; null while reserving and for an unbilled call.</param>
/// <param name="ExpiresAt">When BillingService releases the hold by itself.</param>
/// <param name="UnbilledReason">Why an optional-billing call runs unbilled: <c>billing_off</c>, <c>no_account</c>, <c>billing_unavailable</c>.</param>
internal sealed record BillingHold(
    Infrastructure.BillingMode Mode,
    long Amount,
    string AmountType,
    string? ReservationId = null,
    DateTimeOffset? ExpiresAt = null,
    string? UnbilledReason = null);

/// <summary>The finalize or release owed to BillingService, and how delivering it goes.</summary>
/// <param name="Kind">Charge (finalize with <paramref name="Amount"/>) or release.</param>
/// <param name="Amount">The amount to charge, in minor units (0 for a release).</param>
/// <param name="Reason">The reason sent to BillingService.</param>
/// <param name="Failures">Attempts that did not reach BillingService so far.</param>
/// <param name="NextAttemptAt">When the retrier tries again; null before the first failure.</param>
/// <param name="LastError">What the last failed attempt saw (status or transport error; never a body).</param>
/// <param name="Result">BillingService's final word on the reservation: <c>finalized</c>, <c>released</c>, <c>expired</c>, ...</param>
/// <param name="Charged">The amount BillingService charged, once landed.</param>
/// <param name="SettledAt">When it landed.</param>
internal sealed record Settlement(
    SettlementKind Kind,
    long Amount,
    string Reason,
    int Failures = 0,
    DateTimeOffset? NextAttemptAt = null,
    string? LastError = null,
    string? Result = null,
    long? Charged = null,
    DateTimeOffset? SettledAt = null);

/// <summary>An answer kept to be replayed: status, the headers worth keeping, and the body.</summary>
internal sealed record CachedResponse(int StatusCode, IReadOnlyList<HeaderValues> Headers, byte[] Body)
{
    public string? ContentType => Headers.FirstOrDefault(h => string.Equals(h.Name, "Content-Type", StringComparison.OrdinalIgnoreCase))?.Values.FirstOrDefault();
}

/// <summary>One response header and its values.</summary>
internal sealed record HeaderValues(string Name, string[] Values);
