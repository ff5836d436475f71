using Gateway.PoolService.Model;

namespace Gateway.PoolService.Tests.Support;

/// <summary>Backend settings for tests: a valid backend unless told otherwise.</summary>
internal static class Samples
{
    public static BackendSettings Backend(string? id = null, string pool = "primary", string model = "m", int rpm = 60, string? apiKey = null, int weight = 1, bool enabled = true, string baseUrl = "http://127.0.0.1:9/v1", string? healthPath = null, int? healthIntervalSeconds = null) => new()
    {
        Id = id,
        Pool = pool,
        BaseUrl = baseUrl,
        ApiKey = apiKey,
        Models = new Dictionary<string, string?> { [model] = model + "-upstream" },
        Rpm = rpm,
        Weight = weight,
        Enabled = enabled,
        HealthPath = healthPath,
        HealthIntervalSeconds = healthIntervalSeconds,
    };
}
