using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.ProxyService.Tests.Support;
using Gateway.Testing;
using OpenAI;

namespace Gateway.ProxyService.Tests.Llm;

/// <summary>
/// The path of an LLM call, every piece its own process: two fake OpenAI-compatible backends, each
/// requiring its own key; PoolService with its LocalSidecar, two pools (<c>primary</c> on the first
/// fake, <c>fallback</c> on the second); ProxyService with its LocalSidecar; one SQLite store.
/// Models: <c>gpt-4o-mini</c> (alias <c>mini</c>) on both; <c>flaky</c>, which the primary
/// backend serves as <c>fake-429:7</c> (always 429, Retry-After 7) and the fallback as <c>gpt-4o-mini</c>;
/// <c>doomed</c>, a 429 everywhere; <c>slow</c>, which a primary backend with a 1 s timeout serves
/// as <c>fake-hang</c>; <c>unreachable</c>, whose primary backend is a closed port; <c>broken</c>,
/// which a primary backend serves as <c>fake-503</c>; <c>counted</c>, <c>streamed</c> and <c>abandoned</c>, plain, for the tests that read their usage.
/// </summary>
internal sealed class LlmStack : IAsyncDisposable
{
    public const string PrimaryKey = "sk-primary-5c1e9a7d-backend";
    public const string FallbackKey = "sk-fallback-0b3f6e2a-backend";

    private readonly TempFolder _folder;
    private readonly List<IAsyncDisposable> _processes = [];
    private readonly Func<LlmStack, object> _registry;
    private readonly IReadOnlyDictionary<string, string?> _poolSettings;

    private LlmStack(TempFolder folder, Func<LlmStack, object>? registry, IReadOnlyDictionary<string, string?>? poolSettings)
    {
        _folder = folder;
        _registry = registry ?? (stack => stack.DefaultRegistry());
        _poolSettings = poolSettings ?? new Dictionary<string, string?>();
        PrimaryPort = FreePort.Next();
        FallbackPort = FreePort.Next();
        PoolPort = FreePort.Next();
        ProxyPort = FreePort.Next();
        ClosedPort = FreePort.Next();
        Primary = Client(PrimaryPort);
        Fallback = Client(FallbackPort);
        Proxy = Client(ProxyPort);
        Pool = Client(PoolPort);
    }

    public int PrimaryPort { get; }

    public int FallbackPort { get; }

    public int PoolPort { get; }

    public int ProxyPort { get; }

    /// <summary>A loopback port nothing listens on: a backend there refuses every connection.</summary>
    public int ClosedPort { get; }

    /// <summary>The primary fake directly (its <c>/_fake</c> control API and journal).</summary>
    public HttpClient Primary { get; }

    /// <summary>The fallback fake directly.</summary>
    public HttpClient Fallback { get; }

    /// <summary>The proxy, as callers reach it.</summary>
    public HttpClient Proxy { get; }

    /// <summary>PoolService directly (its usage and backend status).</summary>
    public HttpClient Pool { get; }

    /// <summary>
    /// Starts the stack with the registry described above, or the one <paramref name="registry"/>
    /// builds (the value of the <c>Pool</c> section; use <see cref="Backend"/>), and PoolService
    /// settings (environment variables such as <c>Pool__Policy__CooldownBase</c>) on top of the defaults.
    /// </summary>
    public static async Task<LlmStack> StartAsync(Func<LlmStack, object>? registry = null, IReadOnlyDictionary<string, string?>? poolSettings = null)
    {
        var stack = new LlmStack(new TempFolder("proxy-llm-tests"), registry, poolSettings);
        try
        {
            await stack.StartProcessesAsync();
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>An OpenAI SDK client whose base URL is the gateway, with the SDK's own retries off.</summary>
    public OpenAIClient OpenAi(string key = "client-key") => new(
        new ApiKeyCredential(key),
        new OpenAIClientOptions { Endpoint = new Uri($"http://127.0.0.1:{Text(ProxyPort)}/v1"), RetryPolicy = new ClientRetryPolicy(0) });

    /// <summary>
    /// Journal entries of both fakes whose body mentions <paramref name="marker"/>, as (backend,
    /// entry), once each is finished (answered or aborted; the fake completes an entry after its
    /// last byte, which a client may read first), or as they are after 5 s.
    /// </summary>
    public async Task<IReadOnlyList<(string Backend, JsonElement Entry)>> RequestsMentioningAsync(string marker)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            var found = await MentioningAsync(marker);
            if (DateTime.UtcNow > deadline || found.All(f => f.Entry.GetProperty("status").ValueKind == JsonValueKind.Number || f.Entry.GetProperty("aborted").GetBoolean()))
            {
                return found;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// PoolService's usage totals for <paramref name="model"/> once <paramref name="requests"/>
    /// outcomes have landed (the gateway reports them off the client's path), read again a moment
    /// later so that a second report of the same call would be counted.
    /// </summary>
    public async Task<JsonElement> SettledUsageAsync(string model, long requests)
    {
        await ProxyCalls.EventuallyAsync(
            async () => (await UsageAsync(model)).GetProperty("requests").GetInt64() >= requests,
            TimeSpan.FromSeconds(10),
            $"{requests} outcome(s) for {model} in PoolService");
        await Task.Delay(300);
        return await UsageAsync(model);
    }

    /// <summary>Journal entries of both fakes for the requests that carried <c>X-Fake-Run: {run}</c>, as (backend, entry).</summary>
    public Task<IReadOnlyList<(string Backend, JsonElement Entry)>> RequestsOfRunAsync(string run) =>
        JournalAsync("/_fake/requests?run=" + Uri.EscapeDataString(run));

    /// <summary>PoolService's usage totals for <paramref name="model"/> as they are.</summary>
    public async Task<JsonElement> UsageAsync(string model) =>
        JsonDocument.Parse(await Pool.GetStringAsync(new Uri("/usage?model=" + Uri.EscapeDataString(model), UriKind.Relative))).RootElement.GetProperty("totals").Clone();

    /// <summary>PoolService's <c>GET /backends/{id}/status</c>.</summary>
    public async Task<JsonElement> BackendStatusAsync(string backendId) =>
        JsonDocument.Parse(await Pool.GetStringAsync(new Uri($"/backends/{Uri.EscapeDataString(backendId)}/status", UriKind.Relative))).RootElement.Clone();

    private async Task<IReadOnlyList<(string Backend, JsonElement Entry)>> MentioningAsync(string marker) =>
        [.. (await JournalAsync("/_fake/requests")).Where(f => f.Entry.TryGetProperty("body", out var body) && body.GetRawText().Contains(marker, StringComparison.Ordinal))];

    /// <summary>The entries both fakes answer <paramref name="path"/> with (their <c>/_fake/requests</c>, filtered or not).</summary>
    private async Task<IReadOnlyList<(string Backend, JsonElement Entry)>> JournalAsync(string path)
    {
        List<(string, JsonElement)> found = [];
        foreach (var (name, client) in new[] { ("primary", Primary), ("fallback", Fallback) })
        {
            var text = await client.GetStringAsync(new Uri(path, UriKind.Relative));
            found.AddRange(JsonDocument.Parse(text).RootElement.EnumerateArray().Select(e => (name, e.Clone())));
        }

        return found;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _processes.Count - 1; i >= 0; i--)
        {
            await _processes[i].DisposeAsync();
        }

        Primary.Dispose();
        Fallback.Dispose();
        Proxy.Dispose();
        Pool.Dispose();
        _folder.Dispose();
    }

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static HttpClient Client(int port) => new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
    {
        BaseAddress = new Uri($"http://127.0.0.1:{Text(port)}"),
        Timeout = TimeSpan.FromSeconds(60),
    };

    private async Task StartProcessesAsync()
    {
        var components = Directory.CreateDirectory(_folder.Combine("components")).FullName;
        var registry = _folder.Combine("registry");
        await File.WriteAllTextAsync(
            Path.Combine(components, "statestore.yaml"),
            ComponentYaml.StateStore(StateStoreKind.Sqlite, connection: _folder.Combine("state.db"), actorStateStore: true, metadata: new Dictionary<string, string> { ["busyTimeout"] = "10s" }));
        var settingsFile = _folder.Combine("pools.json");
        await File.WriteAllTextAsync(settingsFile, JsonSerializer.Serialize(new { Pool = _registry(this) }));

        var fakes = Task.WhenAll(
            ServiceProcess.StartAsync(Launchables.FakeOpenAiBackend, "fake-primary", PrimaryPort, null, new Dictionary<string, string?> { ["FakeOpenAiBackend__ApiKey"] = PrimaryKey }),
            ServiceProcess.StartAsync(Launchables.FakeOpenAiBackend, "fake-fallback", FallbackPort, null, new Dictionary<string, string?> { ["FakeOpenAiBackend__ApiKey"] = FallbackKey }));
        var sidecars = Task.WhenAll(
            SidecarProcess.StartAsync("pool", components, registry, PoolPort),
            SidecarProcess.StartAsync("proxy", components, registry, ProxyPort));
        _processes.AddRange(await fakes);
        var started = await sidecars;
        _processes.AddRange(started);
        var (poolSidecar, proxySidecar) = (started[0], started[1]);
        var poolEnvironment = new Dictionary<string, string?>
        {
            ["POOL_SETTINGS_FILE"] = settingsFile,
            ["Pool__EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Pool__Probing__Enabled"] = "false",
        };
        foreach (var (name, value) in _poolSettings)
        {
            poolEnvironment[name] = value;
        }

        _processes.Add(await ServiceProcess.StartAsync(Launchables.PoolService, "pool", PoolPort, poolSidecar, poolEnvironment));
        _processes.Add(await ServiceProcess.StartAsync(Launchables.ProxyService, "proxy", ProxyPort, proxySidecar, new Dictionary<string, string?>
        {
            ["Llm__MaxAttempts"] = "3",
            ["Llm__MaxRequestBodyBytes"] = "65536",
        }));
    }

    private object DefaultRegistry() => new
    {
        Pools = new[] { new { Name = "primary" }, new { Name = "fallback" } },
        Backends = new object[]
        {
            Backend("llm-primary", "primary", PrimaryPort, PrimaryKey, timeoutSeconds: 10, new Dictionary<string, string>
            {
                ["gpt-4o-mini"] = "gpt-4o-mini", ["flaky"] = "fake-429:7", ["counted"] = "gpt-4o-mini", ["doomed"] = "fake-429:4", ["streamed"] = "gpt-4o-mini", ["abandoned"] = "gpt-4o-mini",
            }),
            Backend("llm-hanging", "primary", PrimaryPort, PrimaryKey, timeoutSeconds: 1, new Dictionary<string, string> { ["slow"] = "fake-hang" }),
            Backend("llm-closed", "primary", ClosedPort, PrimaryKey, timeoutSeconds: 10, new Dictionary<string, string> { ["unreachable"] = "gpt-4o-mini" }),
            Backend("llm-broken", "primary", PrimaryPort, PrimaryKey, timeoutSeconds: 10, new Dictionary<string, string> { ["broken"] = "fake-503" }),
            Backend("llm-fallback", "fallback", FallbackPort, FallbackKey, timeoutSeconds: 10, new Dictionary<string, string>
            {
                ["gpt-4o-mini"] = "gpt-4o-mini", ["flaky"] = "gpt-4o-mini", ["counted"] = "gpt-4o-mini", ["doomed"] = "fake-429:6", ["slow"] = "gpt-4o-mini", ["streamed"] = "gpt-4o-mini", ["abandoned"] = "gpt-4o-mini",
                ["unreachable"] = "gpt-4o-mini", ["broken"] = "gpt-4o-mini",
            }),
        },
        Aliases = new Dictionary<string, string> { ["mini"] = "gpt-4o-mini" },
    };

    /// <summary>A backend of the registry on one of the fakes (<paramref name="key"/> null: none), priced 1 and 2 per million tokens.</summary>
    public static object Backend(string id, string pool, int port, string? key, int timeoutSeconds, Dictionary<string, string> models, int rpm = 1000) => new
    {
        Id = id,
        Pool = pool,
        BaseUrl = $"http://127.0.0.1:{Text(port)}/v1",
        ApiKey = key,
        Models = models,
        Pricing = models.Keys.ToDictionary(m => m, _ => new { InputPerMillion = 1.0, OutputPerMillion = 2.0 }),
        Rpm = rpm,
        TimeoutSeconds = timeoutSeconds,
    };
}

/// <summary>One <see cref="LlmStack"/> per test class: the default registry, or the one a subclass starts.</summary>
public class LlmStackFixture : IAsyncLifetime
{
    private LlmStack? _stack;

    internal LlmStack Stack => _stack ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync() => _stack = await StartStackAsync();

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }

    private protected virtual Task<LlmStack> StartStackAsync() => LlmStack.StartAsync();
}
