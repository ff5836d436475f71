using System.Text.Json.Serialization;

namespace Gateway.PoolService.Model;

/// <summary>
/// A backend's condition at one moment, most severe first when several hold. The numbers are the
/// values of the <c>gateway.pool.backend.state</c> gauge and never change.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<BackendCondition>))]
public enum BackendCondition
{
    /// <summary>Grants leases.</summary>
    [JsonStringEnumMemberName("available")]
    Available = 0,

    /// <summary>Its RPM window is full.</summary>
    [JsonStringEnumMemberName("saturated")]
    Saturated = 1,

    /// <summary>Cooling down after 429s: only the emergency trickle.</summary>
    [JsonStringEnumMemberName("cooldown")]
    Cooldown = 2,

    /// <summary>Ejected for a while after failures in a row (timeouts, connection errors, 5xx).</summary>
    [JsonStringEnumMemberName("ejected")]
    Ejected = 3,

    /// <summary>Failed its health probe too many times in a row; until a probe passes.</summary>
    [JsonStringEnumMemberName("unhealthy")]
    Unhealthy = 4,

    /// <summary>Switched off in the registry.</summary>
    [JsonStringEnumMemberName("disabled")]
    Disabled = 5,
}
