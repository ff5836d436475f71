using System.Net;
using System.Net.Sockets;

namespace Gateway.AppHost.Configuration;

/// <summary>
/// The port of every listener of the suite: the README's fixed ports, or free ones chosen at start
/// (<c>--ports auto</c>). Chosen here rather than by the orchestrator so that the sidecars' daprd
/// flags, the services' <c>DAPR_*</c> variables and the printed table all name the same numbers.
/// </summary>
internal sealed class SuitePorts
{
    /// <summary>The README's table: a service's port, its sidecar's HTTP, gRPC and metrics ports.</summary>
    private static readonly Dictionary<string, int> Fixed = new(StringComparer.Ordinal)
    {
        ["proxy"] = 5080,
        ["billing"] = 5081,
        ["pool"] = 5082,
        ["faketasks"] = 5090,
        ["fakeopenai"] = 5091,
        ["proxy-dapr"] = 3500,
        ["billing-dapr"] = 3501,
        ["pool-dapr"] = 3502,
        ["proxy-dapr-grpc"] = 50001,
        ["billing-dapr-grpc"] = 50002,
        ["pool-dapr-grpc"] = 50003,
        ["proxy-dapr-metrics"] = 9090,
        ["billing-dapr-metrics"] = 9091,
        ["pool-dapr-metrics"] = 9092,
    };

    private readonly Dictionary<string, int> _ports;

    private SuitePorts(Dictionary<string, int> ports) => _ports = ports;

    /// <summary>The port named <paramref name="name"/> (a resource name, or <c>{sidecar}-grpc</c> / <c>-metrics</c>).</summary>
    public int this[string name] => _ports[name];

    /// <summary>
    /// Fixed ports must be free on the loopback address: one in use is an error naming it and its
    /// owner in the suite, instead of a service that fails to bind somewhere in the logs.
    /// </summary>
    /// <param name="mode">Fixed or free ports.</param>
    /// <param name="withMetrics">Whether the sidecars' metrics ports are listened on (daprd's; LocalSidecar has none).</param>
    /// <param name="ports">The assignment.</param>
    /// <param name="error">Why it failed.</param>
    public static bool TryAssign(PortMode mode, bool withMetrics, out SuitePorts ports, out string error)
    {
        ports = null!;
        error = "";
        var used = Fixed.Where(p => withMetrics || !p.Key.EndsWith("-metrics", StringComparison.Ordinal)).ToList();
        if (mode == PortMode.Auto)
        {
            var chosen = new HashSet<int>();
            ports = new SuitePorts(used.ToDictionary(p => p.Key, _ => FreePort(chosen), StringComparer.Ordinal));
            return true;
        }

        var taken = used.Where(p => !IsFree(p.Value)).Select(p => $"{p.Value} ({p.Key})").ToList();
        if (taken.Count > 0)
        {
            error = $"Port(s) already in use on 127.0.0.1: {string.Join(", ", taken)}. Stop what holds them (another 'dotnet run --project AppHost'?) or start with '-- --ports auto'.";
            return false;
        }

        ports = new SuitePorts(used.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));
        return true;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A port the system had free; one already handed out in this run is not handed out again.</summary>
    private static int FreePort(HashSet<int> chosen)
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            if (chosen.Add(((IPEndPoint)listener.LocalEndpoint).Port))
            {
                return ((IPEndPoint)listener.LocalEndpoint).Port;
            }
        }
    }
}
