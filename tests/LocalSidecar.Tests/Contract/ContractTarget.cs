using System.Globalization;
using System.Net.Http.Headers;
using Gateway.Testing;

namespace Gateway.LocalSidecar.Tests.Contract;

/// <summary>
/// The sidecar a contract test talks to. By default two LocalSidecars on a store of the fixture's
/// kind: <c>contract-app</c> (its app is an <see cref="EchoApp"/>) and <c>contract-caller</c> (no
/// app), both with <c>DAPR_API_TOKEN</c> and <c>APP_API_TOKEN</c> set. With
/// <c>DAPR_CONTRACT_HTTP_ENDPOINT</c> set, the same tests run against that sidecar (a real daprd)
/// instead; see README.md for the variables.
/// </summary>
public abstract class ContractTarget : IAsyncLifetime
{
    public const string ApiToken = "contract-api-token";
    public const string AppApiToken = "contract-app-token";

    private readonly List<IAsyncDisposable> _owned = [];
    private TempFolder? _folder;

    protected ContractTarget(StateStoreKind kind) => Kind = kind;

    /// <summary>The kind of store behind <see cref="StoreName"/>; some facts differ by store (malformed ETags).</summary>
    public StateStoreKind Kind { get; private set; }

    public string StoreName { get; private set; } = "statestore";

    public string AppId { get; private set; } = "contract-app";

    public string CallerAppId { get; private set; } = "contract-caller";

    /// <summary>The sidecar under test; sends the API token on every call.</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <summary>A second sidecar on the machine, to show calls crossing two sidecars.</summary>
    public HttpClient CallerClient { get; private set; } = null!;

    /// <summary>The API token the sidecar under test requires (null when it requires none).</summary>
    public string? RequiredApiToken { get; private set; } = ApiToken;

    /// <summary>The token the sidecar sends to its app (null when none).</summary>
    public string? ExpectedAppToken { get; private set; } = AppApiToken;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The gRPC API of the sidecar under test (<c>DAPR_CONTRACT_GRPC_ENDPOINT</c> for a real daprd).</summary>
    public Uri GrpcEndpoint { get; private set; } = null!;

    /// <summary>The HTTP API of the second sidecar.</summary>
    public Uri CallerEndpoint { get; private set; } = null!;

    public bool IsExternal { get; private set; }

    /// <summary>The connection string or file a store kind needs; null for in-memory.</summary>
    protected abstract Task<string?> CreateStoreAsync(TempFolder folder);

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("DAPR_CONTRACT_HTTP_ENDPOINT") is { Length: > 0 } external)
        {
            await UseExternalAsync(new Uri(external)).ConfigureAwait(false);
            return;
        }

        _folder = new TempFolder("contract");
        var components = _folder.Combine("components");
        Directory.CreateDirectory(components);
        var connection = await CreateStoreAsync(_folder).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(components, "statestore.yaml"), ComponentYaml.StateStore(Kind, StoreName, connection)).ConfigureAwait(false);

        var registry = _folder.Combine("registry");
        var app = await EchoApp.StartAsync().ConfigureAwait(false);
        _owned.Add(app);
        var environment = new Dictionary<string, string?> { ["DAPR_API_TOKEN"] = ApiToken, ["APP_API_TOKEN"] = AppApiToken };
        var sidecar = await SidecarProcess.StartAsync(AppId, components, registry, app.Port, environment).ConfigureAwait(false);
        _owned.Add(sidecar);
        var caller = await SidecarProcess.StartAsync(CallerAppId, components, registry, environment: environment).ConfigureAwait(false);
        _owned.Add(caller);
        await sidecar.WaitUntilAsync("/v1.0/healthz", TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        Endpoint = sidecar.HttpEndpoint;
        GrpcEndpoint = sidecar.GrpcEndpoint;
        CallerEndpoint = caller.HttpEndpoint;
        Client = CreateClient(sidecar.HttpEndpoint, ApiToken);
        CallerClient = CreateClient(caller.HttpEndpoint, ApiToken);
    }

    private async Task UseExternalAsync(Uri endpoint)
    {
        IsExternal = true;
        string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
        AppId = Variable("DAPR_CONTRACT_APP_ID") ?? AppId;
        StoreName = Variable("DAPR_CONTRACT_STORE") ?? StoreName;
        Kind = Enum.Parse<StateStoreKind>(Variable("DAPR_CONTRACT_STORE_KIND") ?? nameof(StateStoreKind.Sqlite), ignoreCase: true);
        RequiredApiToken = Variable("DAPR_CONTRACT_API_TOKEN");
        ExpectedAppToken = Variable("DAPR_CONTRACT_APP_API_TOKEN");
        var appPort = int.Parse(Variable("DAPR_CONTRACT_APP_PORT") ?? throw new InvalidOperationException("DAPR_CONTRACT_APP_PORT must name the port the daprd under test calls its app on"), CultureInfo.InvariantCulture);
        _owned.Add(await EchoApp.StartAsync(appPort).ConfigureAwait(false));
        Endpoint = endpoint;
        GrpcEndpoint = new Uri(Variable("DAPR_CONTRACT_GRPC_ENDPOINT") ?? $"http://{endpoint.Host}:50001");
        Client = CreateClient(endpoint, RequiredApiToken);
        var callerEndpoint = Variable("DAPR_CONTRACT_CALLER_HTTP_ENDPOINT");
        CallerAppId = Variable("DAPR_CONTRACT_CALLER_APP_ID") ?? AppId;
        CallerEndpoint = callerEndpoint is null ? endpoint : new Uri(callerEndpoint);
        CallerClient = CreateClient(CallerEndpoint, RequiredApiToken);
    }

    private static HttpClient CreateClient(Uri endpoint, string? token)
    {
        var client = new HttpClient { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Add("dapr-api-token", token);
        }

        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        CallerClient?.Dispose();
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync().ConfigureAwait(false);
        }

        await DisposeStoreAsync().ConfigureAwait(false);
        _folder?.Dispose();
    }

    protected virtual Task DisposeStoreAsync() => Task.CompletedTask;
}

public sealed class InMemoryTarget() : ContractTarget(StateStoreKind.InMemory)
{
    protected override Task<string?> CreateStoreAsync(TempFolder folder) => Task.FromResult<string?>(null);
}

public sealed class SqliteTarget() : ContractTarget(StateStoreKind.Sqlite)
{
    protected override Task<string?> CreateStoreAsync(TempFolder folder) => Task.FromResult<string?>(folder.Combine("state.db"));
}

public sealed class PostgresTarget() : ContractTarget(StateStoreKind.PostgreSql)
{
    private PostgresServer? _server;

    protected override async Task<string?> CreateStoreAsync(TempFolder folder)
    {
        _server = await PostgresServer.StartAsync().ConfigureAwait(false);
        return await _server.CreateDatabaseAsync().ConfigureAwait(false);
    }

    protected override async Task DisposeStoreAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
