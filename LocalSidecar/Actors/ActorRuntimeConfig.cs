using System.Text.Json;
using Gateway.LocalSidecar.Components;

namespace Gateway.LocalSidecar.Actors;

/// <summary>What an app answers on <c>GET /dapr/config</c>: the actor types it hosts and their settings.</summary>
/// <param name="Entities">The actor types the app hosts.</param>
/// <param name="IdleTimeout">App-wide <c>actorIdleTimeout</c> (daprd's default: 60 minutes).</param>
/// <param name="ScanInterval">How often idle actors are looked for (<c>actorScanInterval</c>, default 30 seconds).</param>
/// <param name="DrainOngoingCallTimeout">How long a stopping host waits for calls in progress.</param>
/// <param name="ReentrancyEnabled">App-wide <c>reentrancy.enabled</c> (default false).</param>
/// <param name="MaxStackDepth">App-wide <c>reentrancy.maxStackDepth</c> (default 32).</param>
/// <param name="PerType">
/// The <c>entitiesConfig</c> entries by actor type (Dapr.Actors writes one for each type registered
/// with type options). As in daprd, an entry replaces the app-wide settings for its types, and what
/// it leaves out takes daprd's default, not the app-wide value.
/// </param>
internal sealed record ActorRuntimeConfig(
    IReadOnlyList<string> Entities,
    TimeSpan IdleTimeout,
    TimeSpan ScanInterval,
    TimeSpan DrainOngoingCallTimeout,
    bool ReentrancyEnabled,
    int MaxStackDepth,
    IReadOnlyDictionary<string, ActorTypeSettings> PerType)
{
    private static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(60);
    private const int DefaultMaxStackDepth = 32;

    /// <summary>An app that hosts no actors.</summary>
    public static readonly ActorRuntimeConfig None = new([], DefaultIdleTimeout, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), false, DefaultMaxStackDepth, new Dictionary<string, ActorTypeSettings>());

    /// <summary>The settings that apply to actors of <paramref name="actorType"/>.</summary>
    public ActorTypeSettings For(string actorType) =>
        PerType.TryGetValue(actorType, out var settings) ? settings : new ActorTypeSettings(IdleTimeout, ReentrancyEnabled, MaxStackDepth);

    /// <summary>Reads the config body with daprd's defaults for anything absent or unreadable.</summary>
    public static ActorRuntimeConfig Parse(JsonElement body)
    {
        var entities = Names(body, "entities");
        var (enabled, depth) = Reentrancy(body);
        var perType = new Dictionary<string, ActorTypeSettings>(StringComparer.Ordinal);
        if (body.TryGetProperty("entitiesConfig", out var configs) && configs.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in configs.EnumerateArray().Where(c => c.ValueKind == JsonValueKind.Object))
            {
                var (typeEnabled, typeDepth) = Reentrancy(entry);
                var settings = new ActorTypeSettings(Duration(entry, "actorIdleTimeout", DefaultIdleTimeout), typeEnabled, typeDepth);
                foreach (var type in Names(entry, "entities"))
                {
                    perType[type] = settings;
                }
            }
        }

        return new ActorRuntimeConfig(
            entities,
            Duration(body, "actorIdleTimeout", None.IdleTimeout),
            Duration(body, "actorScanInterval", None.ScanInterval),
            Duration(body, "drainOngoingCallTimeout", None.DrainOngoingCallTimeout),
            enabled,
            depth,
            perType);
    }

    private static List<string> Names(JsonElement body, string name) =>
        body.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).Where(e => e.Length > 0).Distinct(StringComparer.Ordinal).ToList()
            : [];

    private static (bool Enabled, int MaxStackDepth) Reentrancy(JsonElement body)
    {
        var reentrancy = body.TryGetProperty("reentrancy", out var r) && r.ValueKind == JsonValueKind.Object ? r : default;
        var enabled = reentrancy.ValueKind == JsonValueKind.Object && reentrancy.TryGetProperty("enabled", out var e) && e.ValueKind == JsonValueKind.True;
        var depth = reentrancy.ValueKind == JsonValueKind.Object && reentrancy.TryGetProperty("maxStackDepth", out var d) && d.ValueKind == JsonValueKind.Number && d.TryGetInt32(out var value) && value > 0 ? value : DefaultMaxStackDepth;
        return (enabled, depth);
    }

    private static TimeSpan Duration(JsonElement body, string name, TimeSpan fallback) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && GoDuration.TryParse(value.GetString()!, out var duration) && duration > TimeSpan.Zero
            ? duration
            : fallback;
}

/// <summary>The settings of one actor type: the app-wide ones, or its <c>entitiesConfig</c> entry.</summary>
internal sealed record ActorTypeSettings(TimeSpan IdleTimeout, bool ReentrancyEnabled, int MaxStackDepth);
