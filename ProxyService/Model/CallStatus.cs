using System.Text.Json.Serialization;

namespace Gateway.ProxyService.Model;

/// <summary>
/// Where a tracked call stands. <c>reserving → submitting → running → finalize_pending →
/// completed | failed</c>, with <c>rejected</c> (never reached the provider) and the shortcuts of
/// unbilled calls (straight to <c>completed</c> or <c>failed</c>). The transitions are
/// <see cref="Services.CallTransitions.Apply"/>; the three terminal states never change.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<CallStatus>))]
internal enum CallStatus
{
    /// <summary>The call and its idempotency key are recorded; the reservation is being asked for.</summary>
    [JsonStringEnumMemberName("reserving")]
    Reserving = 0,

    /// <summary>Funds are held (or the call is unbilled); the submit is on its way to the provider.</summary>
    [JsonStringEnumMemberName("submitting")]
    Submitting = 1,

    /// <summary>The provider accepted the task; its id is indexed; the hold stays until a terminal status.</summary>
    [JsonStringEnumMemberName("running")]
    Running = 2,

    /// <summary>
    /// The outcome is decided (charge the usage, or release the hold with a reason) and recorded, but
    /// BillingService has not confirmed it yet: the retrier keeps trying until it lands.
    /// </summary>
    [JsonStringEnumMemberName("finalize_pending")]
    FinalizePending = 3,

    /// <summary>The task succeeded and its charge landed (or it was unbilled).</summary>
    [JsonStringEnumMemberName("completed")]
    Completed = 4,

    /// <summary>The submit or the task failed and the hold was released (or it was unbilled).</summary>
    [JsonStringEnumMemberName("failed")]
    Failed = 5,

    /// <summary>Refused before the provider was called (billing refused or unreachable); nothing is held.</summary>
    [JsonStringEnumMemberName("rejected")]
    Rejected = 6,
}

/// <summary>How a call ended, decided before it is settled with billing.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CallOutcome>))]
internal enum CallOutcome
{
    /// <summary>The task reached a success status: charged its usage.</summary>
    [JsonStringEnumMemberName("succeeded")]
    Succeeded = 0,

    /// <summary>The task reached a failure status: released.</summary>
    [JsonStringEnumMemberName("task_failed")]
    TaskFailed = 1,

    /// <summary>The submit failed (error status, no task id, provider unreachable): released.</summary>
    [JsonStringEnumMemberName("submit_failed")]
    SubmitFailed = 2,

    /// <summary>Billing refused or could not be reached; the provider was not called.</summary>
    [JsonStringEnumMemberName("rejected")]
    Rejected = 3,
}

/// <summary>What a settlement asks of BillingService.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SettlementKind>))]
internal enum SettlementKind
{
    /// <summary><c>POST reservations/{id}/finalize {amount, reason}</c>.</summary>
    [JsonStringEnumMemberName("charge")]
    Charge = 0,

    /// <summary><c>POST reservations/{id}/release {reason}</c>.</summary>
    [JsonStringEnumMemberName("release")]
    Release = 1,
}
