namespace Gateway.PoolService.Model;

// The bodies of the Backend actor's methods (JSON through the sidecar; public with the actor's
// interface, Services/IBackendActor.cs). Each call carries the backend's current limits from the
// registry; each answer carries the status after the call.

/// <summary><c>acquire</c>: one lease decision; <paramref name="AllowEmergency"/> on the emergency pass.</summary>
public sealed record AcquireRequest(BackendLimits Limits, bool AllowEmergency);

/// <summary>The answer to <c>acquire</c>: granted (emergency or not) at <paramref name="At"/>, or denied with a reason and retry-after; the actor always adds its status.</summary>
public sealed record AcquireAnswer(bool Granted, bool Emergency, DenyReason? Reason, double? RetryAfterSeconds, DateTimeOffset At, BackendStatus? Status);

/// <summary><c>report</c>: one upstream call's outcome.</summary>
public sealed record ReportRequest(BackendLimits Limits, OutcomeKind Outcome, double? LatencyMs, double? RetryAfterSeconds, DateTimeOffset? GrantedAt);

/// <summary>The answer to <c>report</c>: the status after it, and whether it started or escalated a cooldown or an ejection.</summary>
public sealed record ReportAnswer(BackendStatus Status, bool CooldownStarted, bool Ejected);

/// <summary><c>probe</c>: one health probe's result.</summary>
public sealed record ProbeRequest(BackendLimits Limits, bool Passed);
