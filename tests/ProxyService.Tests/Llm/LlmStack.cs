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
/// as <c>fake-hang</c>; <c>counted</c>, <c>streamed</c> and <c>abandoned</c>, plain, for the tests that read their usage.
/// </summary>
internal sealed class LlmStack : IAsyncDisposable
{
    public const string PrimaryKey = "sk-primary-5c1e9a7d-backend";
    public const string FallbackKey = "sk-fallback-0b3f6e2a-backend";

    private readonly TempFolder _folder;
    private readonly List<IAsyncDisposable> _processes = [];

    private LlmStack(TempFolder folder)
    {
        _folder = folder;
        PrimaryPort = FreePort.Next();
        FallbackPort = FreePort.Next();
        PoolPort = FreePort.Next();
        ProxyPort = FreePort.Next();
        Primary = Client(PrimaryPort);
        Fallback = Client(FallbackPort);
        Proxy = Client(ProxyPort);
        Pool = Client(PoolPort);
    }

    public int PrimaryPort { get; }

    public int FallbackPort { get; }

    public int PoolPort { get; }

    public int ProxyPort { get; }

    /// <summary>The primary fake directly (its <c>/_fake</c> control API and journal).</summary>
    public HttpClient Primary { get; }

    /// <summary>The fallback fake directly.</summary>
    public HttpClient Fallback { get; }

    /// <summary>The proxy, as callers reach it.</summary>
    public HttpClient Proxy { get; }

    /// <summary>PoolService directly (its usage and backend status).</summary>
    public HttpClient Pool { get; }

    public static async Task<LlmStack> StartAsync()
    {
        var stack = new LlmStack(new TempFolder("proxy-llm-tests"));
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
            var found = await JournalAsync(marker);
            if (DateTime.UtcNow > deadline || found.All(f => f.Entry.GetProperty("status").ValueKind == JsonValueKind.Number || f.Entry.GetProperty("aborted").GetBoolean()))
            {
                return found;
            }

            await Task.Delay(50);
        }
    }

    private async Task<IReadOnlyList<(string Backend, JsonElement Entry)>> JournalAsync(string marker)
    {
        List<(string, JsonElement)> found = [];
        foreach (var (name, client) in new[] { ("primary", Primary), ("fallback", Fallback) })
        {
            var text = await client.GetStringAsync(new Uri("/_fake/requests", UriKind.Relative));
            found.AddRange(JsonDocument.Parse(text).RootElement.EnumerateArray()
                .Where(e => e.TryGetProperty("body", out var body) && body.GetRawText().Contains(marker, StringComparison.Ordinal))
                .Select(e => (name, e.Clone())));
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
        await File.WriteAllTextAsync(settingsFile, PoolSettings());

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
        _processes.Add(await ServiceProcess.StartAsync(Launchables.PoolService, "pool", PoolPort, poolSidecar.HttpPort, new Dictionary<string, string?>
        {
            ["POOL_SETTINGS_FILE"] = settingsFile,
            ["Pool__EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Pool__Probing__Enabled"] = "false",
        }));
        _processes.Add(await ServiceProcess.StartAsync(Launchables.ProxyService, "proxy", ProxyPort, proxySidecar.HttpPort, new Dictionary<string, string?>
        {
            ["Llm__MaxAttempts"] = "3",
            ["Llm__MaxRequestBodyBytes"] = "65536",
        }));
    }

    private string PoolSettings() => JsonSerializer.Serialize(new
    {
        Pool = new
        {
            Pools = new[] { new { Name = "primary" }, new { Name = "fallback" } },
            Backends = new object[]
            {
                Backend("llm-primary", "primary", PrimaryPort, PrimaryKey, timeoutSeconds: 10, new Dictionary<string, string>
                {
                    ["gpt-4o-mini"] = "gpt-4o-mini", ["flaky"] = "fake-429:7", ["counted"] = "gpt-4o-mini", ["doomed"] = "fake-429:4", ["streamed"] = "gpt-4o-mini", ["abandoned"] = "gpt-4o-mini",
                }),
                Backend("llm-hanging", "primary", PrimaryPort, PrimaryKey, timeoutSeconds: 1, new Dictionary<string, string> { ["slow"] = "fake-hang" }),
                Backend("llm-fallback", "fallback", FallbackPort, FallbackKey, timeoutSeconds: 10, new Dictionary<string, string>
                {
                    ["gpt-4o-mini"] = "gpt-4o-mini", ["flaky"] = "gpt-4o-mini", ["counted"] = "gpt-4o-mini", ["doomed"] = "fake-429:6", ["slow"] = "gpt-4o-mini", ["streamed"] = "gpt-4o-mini", ["abandoned"] = "gpt-4o-mini",
                }),
            },
            Aliases = new Dictionary<string, string> { ["mini"] = "gpt-4o-mini" },
        },
    });

    private static object Backend(string id, string pool, int port, string key, int timeoutSeconds, Dictionary<string, string> models) => new
    {
        Id = id,
        Pool = pool,
        BaseUrl = $"http://127.0.0.1:{Text(port)}/v1",
        ApiKey = key,
        Models = models,
        Pricing = models.Keys.ToDictionary(m => m, _ => new { InputPerMillion = 1.0, OutputPerMillion = 2.0 }),
        Rpm = 1000,
        TimeoutSeconds = timeoutSeconds,
    };
}

public sealed class LlmStackFixture : IAsyncLifetime
{
    private LlmStack? _stack;

    internal LlmStack Stack => _stack ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync() => _stack = await LlmStack.StartAsync();

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }
}
