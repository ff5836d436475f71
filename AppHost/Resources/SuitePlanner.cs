using System.Globalization;
using Gateway.AppHost.Configuration;
using Gateway.AppHost.Processes;

namespace Gateway.AppHost.Resources;

/// <summary>Turns the service definitions and the options into the processes to start.</summary>
internal sealed class SuitePlanner
{
    private const string Loopback = "127.0.0.1";

    private readonly AppHostOptions _options;
    private readonly IReadOnlyDictionary<string, int> _ports;
    private readonly Dictionary<string, string?> _commonEnvironment;
    private readonly string _dotnet;
    private readonly string _resourcesPath;
    private readonly string _workDirectory;
    private readonly SidecarCommand _sidecar;

    private SuitePlanner(
        AppHostOptions options,
        IReadOnlyDictionary<string, int> ports,
        string dotnet,
        string resourcesPath,
        string workDirectory,
        SidecarCommand sidecar)
    {
        _options = options;
        _ports = ports;
        _dotnet = dotnet;
        _resourcesPath = resourcesPath;
        _workDirectory = workDirectory;
        _sidecar = sidecar;
        _commonEnvironment = CommonEnvironment();
    }

    private bool Daprd => _options.Sidecar == SidecarMode.Daprd;

    public static bool TryPlan(
        AppHostOptions options,
        IReadOnlyList<ServiceDefinition> services,
        LaunchableProjects projects,
        out SuitePlan plan,
        out string error)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(projects);
        plan = null!;

        var resourcesPath = Path.GetFullPath(options.ResourcesPath ?? DefaultResourcesPath(options.Store, projects.RepositoryRoot));
        if (!Directory.Exists(resourcesPath))
        {
            error = $"The components folder {resourcesPath} does not exist.";
            return false;
        }

        var dotnet = Executables.Dotnet();
        var workDirectory = Path.GetFullPath(options.WorkDirectory ?? projects.RepositoryRoot);
        if (!TryResolveSidecar(options.Sidecar, projects, dotnet, workDirectory, out var sidecar, out error))
        {
            return false;
        }

        var assemblies = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            if (!projects.TryGetAssembly(service.Project, out var assembly, out error))
            {
                return false;
            }

            assemblies[service.Name] = assembly;
        }

        var requests = PortRequests(services, options.Sidecar == SidecarMode.Daprd);
        if (!PortAssignment.TryAssign(requests, options.Ports, options.PortOverrides, out var ports, out error))
        {
            return false;
        }

        var planner = new SuitePlanner(options, ports, dotnet, resourcesPath, workDirectory, sidecar);
        var resources = new List<ResourceSpec>();
        foreach (var service in services)
        {
            resources.Add(planner.Service(service, assemblies[service.Name], services));
            if (service.Sidecar is not null)
            {
                resources.Add(planner.Sidecar(service));
            }
        }

        plan = new SuitePlan(
            resources,
            options.Store == StateStoreKind.Sqlite ? "sqlite" : "postgresql",
            sidecar.Description,
            resourcesPath,
            workDirectory);
        return true;
    }

    public static string DefaultResourcesPath(StateStoreKind store, string repositoryRoot) => store switch
    {
        StateStoreKind.PostgreSql => Path.Combine(repositoryRoot, "components", "postgresql"),
        _ => Path.Combine(repositoryRoot, "components"),
    };

    /// <summary>Every resource name (log prefix, table row), in start order.</summary>
    public static IReadOnlyList<string> ResourceNames(IReadOnlyList<ServiceDefinition> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return [.. services.SelectMany(s => s.Sidecar is null ? [s.Name] : new[] { s.Name, SidecarName(s) })];
    }

    /// <summary>Every port key, in the order the help text and the port check list them.</summary>
    public static IReadOnlyList<PortRequest> PortRequests(IReadOnlyList<ServiceDefinition> services, bool daprd)
    {
        ArgumentNullException.ThrowIfNull(services);
        var requests = new List<PortRequest>();
        foreach (var service in services)
        {
            requests.Add(new PortRequest(service.Name, service.Port));
            if (service.Sidecar is { } sidecar)
            {
                var name = SidecarName(service);
                requests.Add(new PortRequest(name, sidecar.Http));
                requests.Add(new PortRequest(name + "-grpc", sidecar.Grpc));
                if (daprd)
                {
                    requests.Add(new PortRequest(name + "-metrics", sidecar.Metrics));
                }
            }
        }

        return requests;
    }

    private static string SidecarName(ServiceDefinition service) => service.Name + "-dapr";

    private ResourceSpec Service(ServiceDefinition service, string assembly, IReadOnlyList<ServiceDefinition> all)
    {
        var port = _ports[service.Name];
        var environment = new Dictionary<string, string?>(_commonEnvironment, StringComparer.Ordinal)
        {
            ["ASPNETCORE_URLS"] = Origin(port),
            ["APP_ID"] = service.Name,
            ["APP_PORT"] = Text(port),
            ["OTEL_SERVICE_NAME"] = service.Name,
        };
        foreach (var other in all)
        {
            environment[$"services__{other.Name}__http__0"] = Origin(_ports[other.Name]);
        }

        foreach (var (name, value) in service.Environment ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        if (service.Sidecar is not null)
        {
            var sidecar = SidecarName(service);
            environment["DAPR_HTTP_PORT"] = Text(_ports[sidecar]);
            environment["DAPR_HTTP_ENDPOINT"] = Origin(_ports[sidecar]);
            environment["DAPR_GRPC_PORT"] = Text(_ports[sidecar + "-grpc"]);
        }

        return new ResourceSpec(
            service.Name,
            ResourceKind.Service,
            _dotnet,
            [assembly, "--urls", Origin(port)],
            environment,
            // The app's own folder holds its appsettings*.json, which ASP.NET Core reads from the working directory.
            Path.GetDirectoryName(assembly)!,
            Origin(port),
            new Uri(Origin(port) + service.ReadinessPath),
            new Dictionary<string, int>(StringComparer.Ordinal) { [service.Name] = port });
    }

    private ResourceSpec Sidecar(ServiceDefinition service)
    {
        var name = SidecarName(service);
        var httpPort = _ports[name];
        List<string> arguments =
        [
            .. _sidecar.PrefixArguments,
            "--app-id", service.Name,
            "--app-port", Text(_ports[service.Name]),
            "--app-channel-address", Loopback,
            "--dapr-http-port", Text(httpPort),
            "--dapr-grpc-port", Text(_ports[name + "-grpc"]),
            "--resources-path", _resourcesPath,
            "--log-level", _options.SidecarLogLevel,
        ];
        if (Daprd)
        {
            arguments.AddRange(
            [
                "--app-protocol", "http",
                "--metrics-port", Text(_ports[name + "-metrics"]),
                "--placement-host-address", _options.PlacementAddress,
            ]);
        }

        return new ResourceSpec(
            name,
            ResourceKind.Sidecar,
            _sidecar.FileName,
            arguments,
            new Dictionary<string, string?>(_commonEnvironment.Concat(_sidecar.Environment), StringComparer.Ordinal),
            // Component files hold relative paths (data/gateway.db), resolved against the sidecar's working directory.
            _workDirectory,
            Origin(httpPort),
            new Uri(Origin(httpPort) + "/v1.0/healthz"),
            _ports.Where(p => p.Key == name || p.Key.StartsWith(name + "-", StringComparison.Ordinal)).ToDictionary(StringComparer.Ordinal));
    }

    private static bool TryResolveSidecar(SidecarMode mode, LaunchableProjects projects, string dotnet, string workDirectory, out SidecarCommand command, out string error)
    {
        command = null!;
        if (mode == SidecarMode.Daprd)
        {
            if (Executables.FindDaprd() is not { } daprd)
            {
                error = "--sidecar daprd was asked for, but daprd is neither on PATH nor in ~/.dapr/bin. Install Dapr ('dapr init') or use --sidecar local.";
                return false;
            }

            command = new SidecarCommand(daprd, [], new Dictionary<string, string?>(), $"daprd ({daprd})");
            error = "";
            return true;
        }

        if (!projects.TryGetAssembly("LocalSidecar", out var assembly, out error))
        {
            return false;
        }

        // LocalSidecars find each other through a folder (daprd uses mDNS). The machine-wide default would let
        // invocations of one suite reach another suite's apps; each suite gets its own unless the caller chose one.
        var registry = Environment.GetEnvironmentVariable("LOCALSIDECAR_REGISTRY") is { Length: > 0 } chosen
            ? chosen
            : Path.Combine(workDirectory, "data", "localsidecar-registry");
        command = new SidecarCommand(dotnet, [assembly], new Dictionary<string, string?> { ["LOCALSIDECAR_REGISTRY"] = registry }, "LocalSidecar");
        return true;
    }

    /// <summary>Variables every child gets, .NET ones in particular.</summary>
    private static Dictionary<string, string?> CommonEnvironment()
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            // Inherited URL settings would fight the ports chosen here (LocalSidecar is ASP.NET Core too).
            ["ASPNETCORE_URLS"] = null,
            ["ASPNETCORE_HTTP_PORTS"] = null,
            ["ASPNETCORE_HTTPS_PORTS"] = null,
            // Services and LocalSidecar stop by themselves once this process is gone, so that not even
            // a SIGKILL of the AppHost leaves them running (an inherited value would name our own launcher).
            ["GATEWAY_PARENT_PID"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            // One line per log entry keeps each entry under its [resource] prefix; SingleLine applies to the simple formatter only.
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
        };

        // What 'dotnet run' of a service would use (its launch profile says Development), unless the caller chose.
        if (Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") is null && Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") is null)
        {
            environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        }

        return environment;
    }

    private static string Origin(int port) => $"http://{Loopback}:{Text(port)}";

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record SidecarCommand(
        string FileName,
        IReadOnlyList<string> PrefixArguments,
        IReadOnlyDictionary<string, string?> Environment,
        string Description);
}
