namespace Gateway.ProxyService.Model;

/// <summary>Something that happened to a call; <see cref="Services.CallTransitions.Apply"/> decides what it changes.</summary>
internal abstract record CallEvent
{
    /// <summary>The status the event moves a call out of.</summary>
    public abstract CallStatus From { get; }
}

/// <summary>BillingService holds the funds.</summary>
internal sealed record ReservationHeld(string ReservationId, DateTimeOffset? ExpiresAt) : CallEvent
{
    public override CallStatus From => CallStatus.Reserving;
}

/// <summary>The call goes on unbilled (billing off, optional without an account or unreachable).</summary>
internal sealed record ReservationSkipped(string Reason) : CallEvent
{
    public override CallStatus From => CallStatus.Reserving;
}

/// <summary>The call is refused before the provider is called; <paramref name="Response"/> is what the caller got.</summary>
internal sealed record SubmitRejected(string Reason, CachedResponse Response) : CallEvent
{
    public override CallStatus From => CallStatus.Reserving;
}

/// <summary>The provider accepted the task.</summary>
internal sealed record TaskAccepted(string TaskId, CachedResponse Response) : CallEvent
{
    public override CallStatus From => CallStatus.Submitting;
}

/// <summary>The submit failed; <paramref name="Reason"/> goes to billing with the release.</summary>
internal sealed record SubmitFailed(string Reason, CachedResponse Response) : CallEvent
{
    public override CallStatus From => CallStatus.Submitting;
}

/// <summary>A query saw a terminal status. <paramref name="Amount"/> is the charge of a success (0 for a failure).</summary>
internal sealed record TaskEnded(bool Succeeded, long Amount, string Reason, CachedResponse Response) : CallEvent
{
    public override CallStatus From => CallStatus.Running;
}

/// <summary>BillingService confirmed the settlement (or gave its final word on the reservation).</summary>
internal sealed record SettlementLanded(string Result, long? Charged) : CallEvent
{
    public override CallStatus From => CallStatus.FinalizePending;
}

/// <summary>An attempt to settle did not reach BillingService; the next one is due at <paramref name="NextAttemptAt"/>.</summary>
internal sealed record SettlementFailed(string Error, DateTimeOffset NextAttemptAt) : CallEvent
{
    public override CallStatus From => CallStatus.FinalizePending;
}
