using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Testing;

namespace Gateway.Llm.Bench;

/// <summary>
/// The path of an LLM call as the AppHost runs it, every piece its own process: the fake
/// OpenAI-compatible backend (requiring its key), PoolService with its LocalSidecar (one pool, one
/// backend: the fake, rpm 1,000,000 so no lease is refused), ProxyService with its LocalSidecar,
/// one SQLite store; and, when asked for and installed, nginx as a plain reverse proxy in front of
/// the fake. Torn down on dispose.
/// </summary>
internal sealed class LlmUnderTest : IAsyncDisposable
{
    /// <summary>What the fake calls the model; the pool serves it under the same name.</summary>
    public const string Model = "gpt-4o-mini";

    private const string BackendKey = "sk-bench-backend-3f9c2e71";

    // What a caller of the gateway (or of nginx) sends: replaced by the backend's key on the way.
    private const string ClientKey = "sk-bench-client";

    private const string BackendId = "bench-fake";

    private readonly TempFolder _folder;
    private readonly List<IAsyncDisposable> _processes = [];
    private readonly HttpClient _pool = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private readonly int _fakePort = FreePort.Next();
    private readonly int _poolPort = FreePort.Next();
    private readonly int _proxyPort = FreePort.Next();

    private LlmUnderTest(TempFolder folder)
    {
        _folder = folder;
        Direct = new("direct", Endpoint(_fakePort), BackendKey);
        Gateway = new("gateway", Endpoint(_proxyPort), ClientKey);
    }

    /// <summary>The fake directly, with its key: the baseline.</summary>
    public ChatPath Direct { get; }

    /// <summary>Through ProxyService: lease, forward, outcome report.</summary>
    public ChatPath Gateway { get; }

    /// <summary>Through nginx in front of the fake; null when nginx was not asked for or not found.</summary>
    public ChatPath? Nginx { get; private set; }

    public static async Task<LlmUnderTest> StartAsync(bool nginx)
    {
        var stack = new LlmUnderTest(new TempFolder("llm-bench"));
        try
        {
            await stack.StartProcessesAsync(nginx).ConfigureAwait(false);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Waits until PoolService has recorded the outcomes of <paramref name="calls"/> calls through
    /// the gateway since the start (its <c>GET /usage</c> counts one per lease), at most
    /// <paramref name="timeout"/>. Outcomes the gateway reports off the client's path are work it
    /// still owes when its last answer is out; what is left must land before the next slice.
    /// </summary>
    /// <returns>How long it took, and whether all of them landed.</returns>
    public async Task<(TimeSpan Waited, bool Landed)> WaitForOutcomesAsync(long calls, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var range = string.Create(CultureInfo.InvariantCulture, $"from={_started.AddMinutes(-1):yyyy-MM-ddTHH:mm:ssZ}&to={DateTimeOffset.UtcNow + timeout + TimeSpan.FromMinutes(1):yyyy-MM-ddTHH:mm:ssZ}");
        var query = new Uri($"http://127.0.0.1:{Text(_poolPort)}/usage?backend={BackendId}&{range}");
        while (true)
        {
            using (var answer = JsonDocument.Parse(await _pool.GetStringAsync(query).ConfigureAwait(false)))
            {
                if (answer.RootElement.GetProperty("totals").GetProperty("requests").GetInt64() >= calls)
                {
                    return (clock.Elapsed, true);
                }
            }

            if (clock.Elapsed > timeout)
            {
                return (clock.Elapsed, false);
            }

            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _processes.Count - 1; i >= 0; i--)
        {
            await _processes[i].DisposeAsync().ConfigureAwait(false);
        }

        _pool.Dispose();
        _folder.Dispose();
    }

    private static Uri Endpoint(int port) => new($"http://127.0.0.1:{Text(port)}/v1/chat/completions");

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

    private async Task StartProcessesAsync(bool nginx)
    {
        var components = Directory.CreateDirectory(_folder.Combine("components")).FullName;
        var registry = _folder.Combine("registry");
        await File.WriteAllTextAsync(
            Path.Combine(components, "statestore.yaml"),
            ComponentYaml.StateStore(StateStoreKind.Sqlite, connection: _folder.Combine("state.db"), actorStateStore: true, metadata: new Dictionary<string, string> { ["busyTimeout"] = "10s" })).ConfigureAwait(false);
        var poolSettings = _folder.Combine("pools.json");
        await File.WriteAllTextAsync(poolSettings, PoolSettings()).ConfigureAwait(false);

        await StartServiceAsync(Launchables.FakeOpenAiBackend, "fakeopenai", _fakePort, sidecar: null, new() { ["FakeOpenAiBackend__ApiKey"] = BackendKey }).ConfigureAwait(false);
        var poolSidecar = await StartSidecarAsync("pool", components, registry, _poolPort).ConfigureAwait(false);
        var proxySidecar = await StartSidecarAsync("proxy", components, registry, _proxyPort).ConfigureAwait(false);
        await StartServiceAsync(Launchables.PoolService, "pool", _poolPort, poolSidecar, new()
        {
            ["POOL_SETTINGS_FILE"] = poolSettings,
            ["Pool__EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Pool__Probing__Enabled"] = "false",
        }).ConfigureAwait(false);
        await StartServiceAsync(Launchables.ProxyService, "proxy", _proxyPort, proxySidecar, []).ConfigureAwait(false);

        if (nginx && NginxProxy.Find() is { } binary)
        {
            var proxy = await NginxProxy.StartAsync(binary, Directory.CreateDirectory(_folder.Combine("nginx")).FullName, _fakePort, BackendKey).ConfigureAwait(false);
            _processes.Add(proxy);
            Nginx = new ChatPath("nginx", Endpoint(proxy.Port), ClientKey);
        }
    }

    private async Task<SidecarProcess> StartSidecarAsync(string appId, string components, string registry, int appPort)
    {
        var sidecar = await SidecarProcess.StartAsync(appId, components, registry, appPort).ConfigureAwait(false);
        _processes.Add(sidecar);
        return sidecar;
    }

    /// <summary>Starts a built service on <paramref name="port"/>, from its own folder, logging warnings only, and waits for its <c>/healthz</c>.</summary>
    private async Task StartServiceAsync(string dll, string appId, int port, SidecarProcess? sidecar, Dictionary<string, string?> settings)
    {
        settings["APP_ID"] = appId;
        settings["ASPNETCORE_URLS"] = null;
        settings["Logging__LogLevel__Default"] = "Warning";
        if (sidecar is not null)
        {
            settings["DAPR_HTTP_PORT"] = Text(sidecar.HttpPort);
            settings["DAPR_GRPC_PORT"] = Text(sidecar.GrpcPort);
            settings["DAPR_HTTP_ENDPOINT"] = $"http://127.0.0.1:{Text(sidecar.HttpPort)}";
        }

        var process = TestProcess.StartDotnet(dll, ["--urls", $"http://127.0.0.1:{Text(port)}"], settings, Path.GetDirectoryName(dll));
        _processes.Add(process);
        await Readiness.WaitAsync(new Uri($"http://127.0.0.1:{Text(port)}/healthz"), () => process.HasExited ? process.Output : null).ConfigureAwait(false);
    }

    private string PoolSettings() => JsonSerializer.Serialize(new
    {
        Pool = new
        {
            Pools = new[] { new { Name = "bench" } },
            Backends = new[]
            {
                new
                {
                    Id = BackendId,
                    Pool = "bench",
                    BaseUrl = $"http://127.0.0.1:{Text(_fakePort)}/v1",
                    ApiKey = BackendKey,
                    Models = new Dictionary<string, string> { [Model] = Model },
                    Pricing = new Dictionary<string, object> { [Model] = new { InputPerMillion = 0.15, OutputPerMillion = 0.60 } },
                    Rpm = 1_000_000,
                    TimeoutSeconds = 30,
                },
            },
        },
    });
}
