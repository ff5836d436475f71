using System.Text.Json;
using Gateway.LocalSidecar.Components;

namespace Gateway.LocalSidecar.Actors;

/// <summary>What an app answers on <c>GET /dapr/config</c>: the actor types it hosts and their settings.</summary>
internal sealed record ActorRuntimeConfig(
    IReadOnlyList<string> Entities,
    TimeSpan IdleTimeout,
    TimeSpan ScanInterval,
    TimeSpan DrainOngoingCallTimeout,
    bool ReentrancyEnabled,
    int MaxStackDepth)
{
    /// <summary>An app that hosts no actors.</summary>
    public static readonly ActorRuntimeConfig None = new([], TimeSpan.FromMinutes(60), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), false, 32);

    /// <summary>Reads the config body with daprd's defaults for anything absent or unreadable.</summary>
    public static ActorRuntimeConfig Parse(JsonElement body)
    {
        var entities = body.TryGetProperty("entities", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).Where(e => e.Length > 0).Distinct(StringComparer.Ordinal).ToList()
            : [];
        var reentrancy = body.TryGetProperty("reentrancy", out var r) && r.ValueKind == JsonValueKind.Object ? r : default;
        var enabled = reentrancy.ValueKind == JsonValueKind.Object && reentrancy.TryGetProperty("enabled", out var e) && e.ValueKind == JsonValueKind.True;
        var depth = reentrancy.ValueKind == JsonValueKind.Object && reentrancy.TryGetProperty("maxStackDepth", out var d) && d.ValueKind == JsonValueKind.Number && d.TryGetInt32(out var value) && value > 0 ? value : None.MaxStackDepth;
        return new ActorRuntimeConfig(
            entities,
            Duration(body, "actorIdleTimeout", None.IdleTimeout),
            Duration(body, "actorScanInterval", None.ScanInterval),
            Duration(body, "drainOngoingCallTimeout", None.DrainOngoingCallTimeout),
            enabled,
            depth);
    }

    private static TimeSpan Duration(JsonElement body, string name, TimeSpan fallback) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && GoDuration.TryParse(value.GetString()!, out var duration) && duration > TimeSpan.Zero
            ? duration
            : fallback;
}
