using System.Text.Json.Serialization;

namespace Gateway.PoolService.Model;

/// <summary>Why a backend did not grant a lease (the <c>reason</c> tag of <c>gateway.pool.denials</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DenyReason>))]
public enum DenyReason
{
    [JsonStringEnumMemberName("disabled")]
    Disabled = 0,

    [JsonStringEnumMemberName("unhealthy")]
    Unhealthy = 1,

    [JsonStringEnumMemberName("ejected")]
    Ejected = 2,

    /// <summary>In cooldown, and either no emergency was asked for or the trickle is off.</summary>
    [JsonStringEnumMemberName("cooldown")]
    Cooldown = 3,

    /// <summary>The RPM window is full.</summary>
    [JsonStringEnumMemberName("rpm")]
    RpmExhausted = 4,

    /// <summary>In cooldown and this window's emergency trickle is used up.</summary>
    [JsonStringEnumMemberName("emergency_exhausted")]
    EmergencyExhausted = 5,

    /// <summary>The actor could not be asked (sidecar or host failure); not a policy decision.</summary>
    [JsonStringEnumMemberName("unavailable")]
    Unavailable = 6,
}
