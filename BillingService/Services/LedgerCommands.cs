using Gateway.BillingService.Model;

namespace Gateway.BillingService.Services;

/// <summary>A validated request to hold money (see <see cref="BillingValidation"/>).</summary>
/// <param name="AccountId">The account to hold on.</param>
/// <param name="Reference">The caller's reference for the billed call.</param>
/// <param name="Provider">The provider called.</param>
/// <param name="Operation">What is called at the provider.</param>
/// <param name="Amount">The hold, in minor units.</param>
/// <param name="AmountType">How the final amount may differ from the hold.</param>
/// <param name="Ttl">The reservation's lifetime (the request's, or the configured default).</param>
/// <param name="RequestHash">SHA-256 of the canonical request, compared on an idempotent replay.</param>
/// <param name="IdempotencyKeyHash">SHA-256 of the caller's idempotency key, or null without one.</param>
internal sealed record ReserveCommand(
    string AccountId,
    string Reference,
    string Provider,
    string Operation,
    long Amount,
    AmountType AmountType,
    TimeSpan Ttl,
    string RequestHash,
    string? IdempotencyKeyHash);

/// <summary>A validated credit; the idempotency key is required.</summary>
internal sealed record CreditCommand(string AccountId, long Amount, string RequestHash, string IdempotencyKeyHash);

/// <summary>A validated credit limit: how far below zero the account's balance may go, 0 to <see cref="LedgerLimits.MaxAmount"/>.</summary>
internal sealed record CreditLimitCommand(string AccountId, long CreditLimit);

/// <summary>A request to move a reservation out of <see cref="ReservationStatus.Reserved"/>.</summary>
internal abstract record ResolveCommand(string? Reason)
{
    /// <summary>The status this request asks for.</summary>
    public abstract ReservationStatus TargetStatus { get; }

    /// <summary>The amount this request asks to charge.</summary>
    public abstract long TargetAmount { get; }
}

/// <summary>Charge <paramref name="Amount"/>; 0 is a release.</summary>
internal sealed record FinalizeCommand(long Amount, string? Reason) : ResolveCommand(Reason)
{
    public override ReservationStatus TargetStatus => Amount == 0 ? ReservationStatus.Released : ReservationStatus.Finalized;

    public override long TargetAmount => Amount;
}

/// <summary>Charge nothing: the same outcome as finalize with 0.</summary>
internal sealed record ReleaseCommand(string? Reason) : ResolveCommand(Reason)
{
    public override ReservationStatus TargetStatus => ReservationStatus.Released;

    public override long TargetAmount => 0;
}

/// <summary>The sweeper's request: expire the reservation if it is due.</summary>
internal sealed record ExpireCommand() : ResolveCommand(ExpireCommand.ExpiredReason)
{
    public const string ExpiredReason = "expired";

    public override ReservationStatus TargetStatus => ReservationStatus.Expired;

    public override long TargetAmount => 0;
}
