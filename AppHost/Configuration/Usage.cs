using System.Globalization;
using System.Text;
using Gateway.AppHost.Resources;

namespace Gateway.AppHost.Configuration;

/// <summary>The <c>--help</c> text; the port list comes from the service definitions, so it cannot go stale.</summary>
internal static class Usage
{
    public static string Text(IReadOnlyList<ServiceDefinition> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var ports = new StringBuilder();
        foreach (var request in SuitePlanner.PortRequests(services, daprd: true))
        {
            ports.AppendLine(CultureInfo.InvariantCulture, $"  {request.Key,-24}{request.FixedPort}");
        }

        return $"""
            Gateway AppHost: runs the whole suite locally. For each service it starts a Dapr sidecar
            (LocalSidecar, or the real daprd) and the service, waits until all are healthy, prints a
            table of resources, streams their logs with a [name] prefix, and stops everything on
            Ctrl+C, SIGTERM, or when any of them exits.

            Usage: dotnet run --project AppHost [-- options]
                   dotnet AppHost.dll [options]

            Options (--name value or --name=value):
              --ports fixed|auto          fixed: the ports listed below (default); auto: free ports chosen by the OS
              --port NAME=PORT            pin one port, in either mode; repeatable (e.g. --port billing=6081)
              --store sqlite|postgresql   state store (default sqlite): components/ or components/postgresql/
                                          (postgresql reads its connection string from the environment, see that folder)
              --resources-path DIR        components folder to use instead of the one --store picks
              --sidecar local|daprd       LocalSidecar (default) or the real daprd from PATH or ~/.dapr/bin
              --placement HOST:PORT       daprd only: actor placement service (default localhost:50005, as 'dapr init')
              --sidecar-log-level LEVEL   debug|info|warn|error, passed to every sidecar (default info)
              --work-dir DIR              sidecars' working directory; relative component paths such as
                                          data/gateway.db resolve here, and LocalSidecars register in
                                          data/localsidecar-registry unless LOCALSIDECAR_REGISTRY is set
                                          (default: the repository root)
              --startup-timeout SECONDS   time for every resource to become healthy (default 60)
              --shutdown-timeout SECONDS  graceful stop per tier (apps, then sidecars) before killing (default 10)
              --no-color                  no colored prefixes (also when NO_COLOR is set or output is redirected)
              -h, --help                  this text

            Fixed ports (NAME for --port; -metrics is used by daprd only):
            {ports}
            Every service receives ASPNETCORE_URLS/--urls, APP_ID, APP_PORT, DAPR_HTTP_PORT, DAPR_HTTP_ENDPOINT,
            DAPR_GRPC_PORT, OTEL_SERVICE_NAME and services__NAME__http__0 for every service.
            DAPR_API_TOKEN and APP_API_TOKEN, when set, are passed on to sidecars and services.
            Every child gets GATEWAY_PARENT_PID (this process): services and LocalSidecar stop by themselves once
            the AppHost is gone, even if it was killed outright.
            .NET children log one line per entry (Logging__Console__FormatterName=simple, SingleLine=true) and run
            as Development unless ASPNETCORE_ENVIRONMENT or DOTNET_ENVIRONMENT is set.

            Once all resources are healthy it prints "Gateway is ready." followed by the table
            NAME KIND PID URL (one line per resource, ending with an empty line).

            Exit codes: 0 stopped on request after a good start; 1 failure (port in use, missing build,
            a resource that did not start, become healthy or stay up); 2 bad command line;
            130 stopped on request before everything was healthy.
            """;
    }
}
