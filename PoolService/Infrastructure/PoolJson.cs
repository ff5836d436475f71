using System.Text.Json;

namespace Gateway.PoolService.Infrastructure;

/// <summary>The JSON of the Backend actor's messages and state: web defaults (camelCase names, case-insensitive reads), as the HTTP API and the Dapr client write.</summary>
internal static class PoolJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
