namespace Gateway.PoolService.Model;

/// <summary>The answer of <see cref="Services.BackendPolicy.Acquire"/>: <see cref="Granted"/> or <see cref="Denied"/>.</summary>
internal abstract record AcquireDecision
{
    private AcquireDecision()
    {
    }

    /// <summary>A lease may go to the backend; <paramref name="Emergency"/> when it comes out of the cooldown trickle.</summary>
    public sealed record Granted(bool Emergency) : AcquireDecision;

    /// <summary>No lease: why, and how long until this backend may grant again (null: not known, e.g. disabled).</summary>
    public sealed record Denied(DenyReason Reason, TimeSpan? RetryAfter) : AcquireDecision;
}
