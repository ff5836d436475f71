using System.Globalization;
using System.Security.Cryptography;
using Gateway.AppHost.Configuration;
using Gateway.AppHost.Dapr;
using Gateway.AppHost.Demo;
using Gateway.AppHost.Startup;
using Microsoft.Extensions.DependencyInjection;

var builder = DistributedApplication.CreateBuilder(args);
if (!GatewayAppHostOptions.TryRead(builder.Configuration, out var options, out var error))
{
    return Fail($"{error} Options: {GatewayAppHostOptions.Usage}.", 2);
}

var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
var workDirectory = Path.GetFullPath(options.WorkDirectory ?? repositoryRoot);
var resourcesPath = Path.Combine(repositoryRoot, "components", options.Store == StateStoreKind.PostgreSql ? "postgresql" : "");
if (!DaprSidecarPrograms.TryFind(options, workDirectory, out var program, out error)
    || !SuitePorts.TryAssign(options.Ports, withMetrics: options.Sidecar == SidecarMode.Daprd, out var ports, out error))
{
    return Fail(error, 1);
}

var faketasks = Service<Projects.FakeTaskProvider>("faketasks", DemoConfiguration.FakeTasks);
var fakeopenai = Service<Projects.FakeOpenAiBackend>("fakeopenai", new Dictionary<string, string>());
var billing = Service<Projects.BillingService>("billing", DemoConfiguration.Billing);
var pool = Service<Projects.PoolService>("pool", DemoConfiguration.Pool(Origin(ports["fakeopenai"]))).WaitFor(fakeopenai);
var proxy = Service<Projects.ProxyService>("proxy", DemoConfiguration.Proxy)
    .WithReference(faketasks.GetEndpoint("http"))
    .WaitFor(faketasks)
    .WaitFor(billing)
    .WaitFor(pool);
foreach (var app in new[] { proxy, billing, pool })
{
    var name = app.Resource.Name;
    app.WithDaprSidecar(new DaprSidecarOptions
    {
        Program = program,
        HttpPort = ports[name + "-dapr"],
        GrpcPort = ports[name + "-dapr-grpc"],
        MetricsPort = options.Sidecar == SidecarMode.Daprd ? ports[name + "-dapr-metrics"] : null,
        ResourcesPath = resourcesPath,
        WorkDirectory = workDirectory,
        LogLevel = options.SidecarLogLevel,
        // Closed by default: each pair gets its own tokens, new every run.
        ApiToken = NewToken(),
        AppApiToken = NewToken(),
    }).WithEnvironment(context =>
    {
        if (Environment.GetEnvironmentVariable("GATEWAY_POSTGRES_CONNECTION") is { Length: > 0 } connection)
        {
            context.EnvironmentVariables["GATEWAY_POSTGRES_CONNECTION"] = connection;
        }
    });
}

string[] order = ["proxy", "proxy-dapr", "billing", "billing-dapr", "pool", "pool-dapr", "faketasks", "fakeopenai"];
var summary = $"Store: {(options.Store == StateStoreKind.PostgreSql ? "postgresql" : "sqlite")} ({resourcesPath}), sidecar: {program.Description}, work directory: {workDirectory}";
builder.Services.AddHostedService(services => new ReadyTable(
    services.GetRequiredService<ResourceNotificationService>(),
    [.. order.Select(name => new ReadyRow(name, Origin(ports[name])))],
    summary));

builder.Build().Run();
return 0;

IResourceBuilder<ProjectResource> Service<TProject>(string name, IReadOnlyDictionary<string, string> environment)
    where TProject : IProjectMetadata, new()
{
    var port = ports[name];
    var service = builder.AddProject<TProject>(name, launchProfileName: null)
        .WithHttpEndpoint(port: port, targetPort: port, name: "http", isProxied: false)
        // Loopback only: Aspire's default 'localhost' would also do, this names the address the README shows.
        .WithEnvironment("ASPNETCORE_URLS", Origin(port))
        .WithHttpHealthCheck("/healthz")
        // Services (and LocalSidecar) stop by themselves when this process is gone, even after a SIGKILL.
        .WithEnvironment("GATEWAY_PARENT_PID", Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
    foreach (var (key, value) in environment)
    {
        service.WithEnvironment(key, value);
    }

    return service;
}

static string Origin(int port) => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");

static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

static int Fail(string message, int exitCode)
{
    Console.Error.WriteLine($"error: {message}");
    return exitCode;
}
