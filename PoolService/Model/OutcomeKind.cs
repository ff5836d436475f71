using System.Text.Json.Serialization;

namespace Gateway.PoolService.Model;

/// <summary>How one upstream call ended, as the caller reports it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OutcomeKind>))]
public enum OutcomeKind
{
    /// <summary>2xx (or a completed stream): resets the 429 count and the failure count; ends a cooldown it was granted in.</summary>
    [JsonStringEnumMemberName("success")]
    Success = 0,

    /// <summary>429: starts or escalates the cooldown.</summary>
    [JsonStringEnumMemberName("rate_limited")]
    RateLimited = 1,

    /// <summary>No answer within the lease's timeout: counts toward ejection.</summary>
    [JsonStringEnumMemberName("timeout")]
    Timeout = 2,

    /// <summary>The connection could not be made or broke: counts toward ejection.</summary>
    [JsonStringEnumMemberName("connect_error")]
    ConnectError = 3,

    /// <summary>5xx: counts toward ejection.</summary>
    [JsonStringEnumMemberName("server_error")]
    ServerError = 4,

    /// <summary>4xx other than 429: the caller's fault; the backend answered, so it resets the failure count.</summary>
    [JsonStringEnumMemberName("client_error")]
    ClientError = 5,
}
