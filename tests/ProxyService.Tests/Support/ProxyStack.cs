using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Testing;

namespace Gateway.ProxyService.Tests.Support;

/// <summary>
/// The whole path of a task call, as the AppHost runs it, every piece its own process: the fake
/// task provider; BillingService with its LocalSidecar; ProxyService with its LocalSidecar; one
/// store both sidecars share (a SQLite file, or a PostgreSQL database the caller provides). Billing
/// and the proxy can be stopped and started again on the same ports. The
/// proxy's log lines are kept across its restarts, at Trace level for the gateway, YARP and the
/// HTTP client, so tests can search them for secrets.
/// </summary>
internal sealed class ProxyStack : IAsyncDisposable
{
    /// <summary>The provider key the proxy injects; it must never reach a caller or a log line.</summary>
    public const string ProviderKey = "prov-key-5e1f0c7a-b2d4-4f3e-9a61";

    public const string OperatorToken = "operator-token-for-the-tests";

    private readonly TempFolder _folder;
    private readonly ConcurrentQueue<string> _proxyLog = new();
    private readonly IReadOnlyDictionary<string, string?> _proxySettings;
    private readonly string _components;
    private readonly string _registry;
    private ServiceProcess? _billing;
    private ServiceProcess? _proxy;
    private SidecarProcess? _billingSidecar;
    private SidecarProcess? _proxySidecar;
    private ServiceProcess? _fake;

    private ProxyStack(TempFolder folder, IReadOnlyDictionary<string, string?> proxySettings)
    {
        _folder = folder;
        _proxySettings = proxySettings;
        _components = Directory.CreateDirectory(folder.Combine("components")).FullName;
        _registry = folder.Combine("registry");
        BillingPort = FreePort.Next();
        ProxyPort = FreePort.Next();
        FakePort = FreePort.Next();
        DeadPort = FreePort.Next();
        Proxy = Client(ProxyPort);
        Billing = Client(BillingPort);
        Billing.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", OperatorToken);
        Fake = Client(FakePort);
    }

    public int BillingPort { get; }

    public int ProxyPort { get; }

    public int FakePort { get; }

    /// <summary>A port nobody listens on: the provider <c>dead</c> points there.</summary>
    public int DeadPort { get; }

    /// <summary>The proxy, as callers reach it.</summary>
    public HttpClient Proxy { get; }

    /// <summary>BillingService directly, as its operator (tests credit accounts and read balances there).</summary>
    public HttpClient Billing { get; }

    /// <summary>The fake provider directly (its <c>/_fake</c> control API).</summary>
    public HttpClient Fake { get; }

    /// <summary>Every line the proxy process wrote, across restarts.</summary>
    public string ProxyLog => string.Join('\n', _proxyLog);

    /// <param name="store">SQLite (a file in the stack's folder) or PostgreSQL.</param>
    /// <param name="postgresConnection">The database, for PostgreSQL.</param>
    /// <param name="extraProxySettings">Proxy configuration over the defaults.</param>
    public static async Task<ProxyStack> StartAsync(StateStoreKind store = StateStoreKind.Sqlite, string? postgresConnection = null, IReadOnlyDictionary<string, string?>? extraProxySettings = null)
    {
        var folder = new TempFolder("proxy-tests");
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal);
        var stack = new ProxyStack(folder, settings);
        foreach (var (name, value) in stack.DefaultProxySettings())
        {
            settings[name] = value;
        }

        foreach (var (name, value) in extraProxySettings ?? new Dictionary<string, string?>())
        {
            settings[name] = value;
        }

        try
        {
            var component = store == StateStoreKind.Sqlite
                ? ComponentYaml.StateStore(store, connection: folder.Combine("state.db"), metadata: new Dictionary<string, string> { ["busyTimeout"] = "10s" })
                : ComponentYaml.StateStore(store, connection: postgresConnection);
            await File.WriteAllTextAsync(Path.Combine(stack._components, "statestore.yaml"), component);
            var fake = ServiceProcess.StartAsync(Launchables.FakeTaskProvider, "faketasks", stack.FakePort, null, new Dictionary<string, string?> { ["FakeTaskProvider__ApiKey"] = ProviderKey });
            var sidecars = Task.WhenAll(
                SidecarProcess.StartAsync("billing", stack._components, stack._registry, stack.BillingPort),
                SidecarProcess.StartAsync("proxy", stack._components, stack._registry, stack.ProxyPort));
            stack._fake = await fake;
            var started = await sidecars;
            (stack._billingSidecar, stack._proxySidecar) = (started[0], started[1]);
            await Task.WhenAll(stack.StartBillingAsync(), stack.StartProxyAsync());
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    public async Task StartBillingAsync() =>
        _billing = await ServiceProcess.StartAsync(Launchables.BillingService, "billing", BillingPort, _billingSidecar!, new Dictionary<string, string?> { ["Billing__OperatorToken"] = OperatorToken });

    public async Task StopBillingAsync()
    {
        if (_billing is not null)
        {
            await _billing.DisposeAsync();
            _billing = null;
        }
    }

    public async Task StartProxyAsync()
    {
        _proxy = await ServiceProcess.StartAsync(Launchables.ProxyService, "proxy", ProxyPort, _proxySidecar!, _proxySettings);
        _proxy.Process.Line += _proxyLog.Enqueue;
        foreach (var line in _proxy.Process.Output.Split('\n'))
        {
            _proxyLog.Enqueue(line);
        }
    }

    public async Task StopProxyAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
            _proxy = null;
        }
    }

    /// <summary>Stops the proxy's sidecar (and with it the proxy's only way to its call ledger); the proxy keeps running.</summary>
    public async Task StopProxySidecarAsync()
    {
        if (_proxySidecar is not null)
        {
            await _proxySidecar.DisposeAsync();
            _proxySidecar = null;
        }
    }

    /// <summary>Credits <paramref name="account"/> (created by its first credit).</summary>
    public async Task CreditAsync(string account, long amount)
    {
        using var response = await Billing.PostAsJsonAsync($"/accounts/{account}/credits", new { amount, idempotencyKey = "credit-" + Guid.NewGuid().ToString("N") });
        response.EnsureSuccessStatusCode();
    }

    public async Task<JsonElement> AccountAsync(string account) => await GetJsonAsync(Billing, $"/accounts/{account}");

    /// <summary>The kinds of the account's ledger entries, oldest first (credit, hold, release, charge).</summary>
    public async Task<IReadOnlyList<(string Kind, long Amount, string? Reason)>> EntriesAsync(string account)
    {
        var page = await GetJsonAsync(Billing, $"/accounts/{account}/entries?limit=500");
        return [.. page.GetProperty("entries").EnumerateArray().Select(e => (
            e.GetProperty("kind").GetString()!,
            e.GetProperty("amount").GetInt64(),
            e.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null))];
    }

    /// <summary>The call as <c>GET /api/calls/{id}</c> shows it to operators.</summary>
    public async Task<JsonElement> CallAsync(string callId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/calls/{callId}");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", OperatorToken);
        using var response = await Proxy.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET /api/calls/{callId} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>What reached the fake provider with <c>X-Fake-Run: {run}</c>.</summary>
    public async Task<IReadOnlyList<JsonElement>> ProviderRequestsAsync(string run) =>
        [.. (await GetJsonAsync(Fake, $"/_fake/requests?run={Uri.EscapeDataString(run)}")).EnumerateArray()];

    /// <summary>Every request the fake provider received, whatever the run.</summary>
    public async Task<IReadOnlyList<JsonElement>> AllProviderRequestsAsync() =>
        [.. (await GetJsonAsync(Fake, "/_fake/requests")).EnumerateArray()];

    public async ValueTask DisposeAsync()
    {
        foreach (var process in new IAsyncDisposable?[] { _proxy, _billing, _fake, _proxySidecar, _billingSidecar })
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        Proxy.Dispose();
        Billing.Dispose();
        Fake.Dispose();
        _folder.Dispose();
    }

    private static HttpClient Client(int port) => new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
    {
        BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"),
        Timeout = TimeSpan.FromSeconds(60),
    };

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private Dictionary<string, string?> DefaultProxySettings()
    {
        var fake = $"http://127.0.0.1:{FakePort.ToString(CultureInfo.InvariantCulture)}/v1";
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["PROVIDER_KEY"] = ProviderKey,
            ["Proxy__OperatorToken"] = OperatorToken,
            ["Proxy__BillingTimeout"] = "00:00:03",
            ["Proxy__IdempotencyWait"] = "00:00:30",
            ["Proxy__Settlement__InitialRetryDelay"] = "00:00:00.200",
            ["Proxy__Settlement__MaxRetryDelay"] = "00:00:01",
            ["Proxy__Settlement__ScanInterval"] = "00:00:01",
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__LogLevel__Gateway"] = "Trace",
            ["Logging__LogLevel__Yarp"] = "Trace",
            ["Logging__LogLevel__System.Net.Http"] = "Trace",
        };
        // As the AppHost does: "tasks" names the fake by its service name, resolved by service discovery.
        settings["services__faketasks__http__0"] = $"http://127.0.0.1:{FakePort.ToString(CultureInfo.InvariantCulture)}";
        Provider(settings, "tasks", "http://faketasks/v1", "Required", amount: 100, amountType: "estimate", usagePath: "$.outputs[*].usage.units", credential: new() { ["Environment"] = "PROVIDER_KEY" });
        Provider(settings, "optional", fake, "Optional", amount: 50, amountType: "estimate", usagePath: "$.usage.units", credential: new() { ["Environment"] = "PROVIDER_KEY", ["QueryParameter"] = "key" });
        Provider(settings, "fixedprice", fake, "Required", amount: 30, amountType: "fixed", usagePath: "$.usage.units", credential: new() { ["Environment"] = "PROVIDER_KEY", ["Header"] = "X-Api-Key" });
        Provider(settings, "free", fake, "Off", amount: 1, amountType: "estimate", usagePath: "$.usage.units", credential: new() { ["Environment"] = "PROVIDER_KEY" });
        Provider(settings, "disabled", fake, "Required", amount: 1, amountType: "estimate", usagePath: "$.usage.units", credential: new() { ["Environment"] = "PROVIDER_KEY" });
        settings["Providers__disabled__Enabled"] = "false";
        Provider(settings, "dead", $"http://127.0.0.1:{DeadPort.ToString(CultureInfo.InvariantCulture)}/v1", "Required", amount: 10, amountType: "estimate", usagePath: "$.usage.units", credential: new() { ["Environment"] = "PROVIDER_KEY" });
        return settings;
    }

    /// <summary>
    /// A provider over the fake: submit <c>POST /tasks</c>; status by path (<c>GET /tasks/{id}</c>),
    /// by query (<c>GET /task-status?taskId=</c>) and by body (<c>POST /tasks/query</c>); passthrough
    /// (the standard methods) on the fake's <c>/models</c>, <c>/echo</c> and <c>/stream</c> only.
    /// </summary>
    private static void Provider(Dictionary<string, string?> settings, string name, string baseUrl, string mode, long amount, string amountType, string usagePath, Dictionary<string, string> credential)
    {
        var prefix = $"Providers__{name}__";
        settings[prefix + "BaseUrl"] = baseUrl;
        settings[prefix + "Timeout"] = "00:00:03";
        settings[prefix + "MaxRequestBodyBytes"] = "65536";
        foreach (var (field, value) in credential)
        {
            settings[prefix + "Credential__" + field] = value;
        }

        settings[prefix + "Billing__Mode"] = mode;
        settings[prefix + "Billing__DefaultAmount"] = amount.ToString(CultureInfo.InvariantCulture);
        settings[prefix + "Billing__AmountType"] = amountType;
        foreach (var (glob, i) in new[] { "/models", "/echo", "/stream" }.Select((g, i) => (g, i)))
        {
            settings[$"{prefix}Passthrough__Paths__{i.ToString(CultureInfo.InvariantCulture)}"] = glob;
        }

        settings[prefix + "SubmitRoutes__0__Name"] = "generate";
        settings[prefix + "SubmitRoutes__0__Path"] = "/tasks";
        var queries = new (string Path, string Method, string Field, string Value)[]
        {
            ("/tasks/*", "GET", "TaskIdPathSegment", "1"),
            ("/task-status", "GET", "TaskIdQueryParameter", "taskId"),
            ("/tasks/query", "POST", "TaskIdBodyPath", "$.taskId"),
        };
        for (var i = 0; i < queries.Length; i++)
        {
            var route = $"{prefix}QueryRoutes__{i.ToString(CultureInfo.InvariantCulture)}__";
            settings[route + "Path"] = queries[i].Path;
            settings[route + "Method"] = queries[i].Method;
            settings[route + queries[i].Field] = queries[i].Value;
            settings[route + "SuccessValues__0"] = "succeeded";
            settings[route + "FailureValues__0"] = "failed";
            settings[route + "UsagePaths__0"] = usagePath;
        }
    }
}

/// <summary>A caller's view of a proxied answer.</summary>
internal sealed record ProxyReply(int Status, string Body, string? CallId, bool Replayed, IReadOnlyDictionary<string, string> Headers)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    public static async Task<ProxyReply> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        var headers = response.Headers.Concat(response.Content.Headers).ToDictionary(h => h.Key, h => string.Join(',', h.Value), StringComparer.OrdinalIgnoreCase);
        return new ProxyReply(
            (int)response.StatusCode,
            body,
            headers.GetValueOrDefault("X-Proxy-Call-Id"),
            headers.GetValueOrDefault("X-Proxy-Replayed") == "true",
            headers);
    }
}

/// <summary>Requests to the proxy as a caller writes them.</summary>
internal static class ProxyCalls
{
    /// <summary>
    /// <c>POST /api/proxy/{provider}/tasks</c>. <paramref name="fake"/> are <c>X-Fake-*</c>
    /// instructions for the fake provider; <paramref name="run"/> groups what it receives.
    /// </summary>
    public static async Task<ProxyReply> SubmitAsync(
        this ProxyStack stack,
        string provider,
        string run,
        string? account,
        string? idempotencyKey = null,
        string body = """{"prompt":"a cat on a skateboard"}""",
        IReadOnlyDictionary<string, string>? fake = null,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/proxy/{provider}/tasks")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Fake-Run", run);
        if (account is not null)
        {
            request.Headers.Add("X-Thread-Id", account);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("X-Idempotency-Key", idempotencyKey);
        }

        foreach (var (name, value) in fake ?? new Dictionary<string, string>())
        {
            request.Headers.Add("X-Fake-" + name, value);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await stack.Proxy.SendAsync(request);
        return await ProxyReply.ReadAsync(response);
    }

    /// <summary><c>GET /api/proxy/{provider}/tasks/{taskId}</c>.</summary>
    public static async Task<ProxyReply> PollAsync(this ProxyStack stack, string provider, string run, string taskId, IReadOnlyDictionary<string, string>? fake = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/proxy/{provider}/tasks/{taskId}");
        request.Headers.Add("X-Fake-Run", run);
        foreach (var (name, value) in fake ?? new Dictionary<string, string>())
        {
            request.Headers.Add("X-Fake-" + name, value);
        }

        using var response = await stack.Proxy.SendAsync(request);
        return await ProxyReply.ReadAsync(response);
    }

    /// <summary>Polls until the proxy answers a terminal status (at most 20 polls).</summary>
    public static async Task<ProxyReply> PollUntilDoneAsync(this ProxyStack stack, string provider, string run, string taskId)
    {
        for (var i = 0; i < 20; i++)
        {
            var reply = await stack.PollAsync(provider, run, taskId);
            if (reply.Status == 200 && reply.Json.GetProperty("status").GetString() is "succeeded" or "failed")
            {
                return reply;
            }
        }

        throw new TimeoutException($"Task {taskId} did not end within 20 polls.");
    }

    /// <summary>A fresh account with <paramref name="balance"/>.</summary>
    public static async Task<string> NewAccountAsync(this ProxyStack stack, long balance = 10_000)
    {
        var account = "acct-" + Guid.NewGuid().ToString("N")[..12];
        await stack.CreditAsync(account, balance);
        return account;
    }

    public static string NewRun() => "run-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Waits until <paramref name="condition"/> holds, polling (for background work such as the settlement retrier).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within {timeout}: {what}");
            }

            await Task.Delay(100);
        }
    }
}
