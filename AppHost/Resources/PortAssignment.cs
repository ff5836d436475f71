using System.Net;
using System.Net.Sockets;
using Gateway.AppHost.Configuration;

namespace Gateway.AppHost.Resources;

/// <summary>A port a resource needs: <paramref name="Key"/> is what <c>--port KEY=PORT</c> pins.</summary>
internal sealed record PortRequest(string Key, int FixedPort);

/// <summary>Chooses every port before anything starts and proves each can be bound.</summary>
internal static class PortAssignment
{
    public static bool TryAssign(
        IReadOnlyList<PortRequest> requests,
        PortMode mode,
        IReadOnlyDictionary<string, int> overrides,
        out IReadOnlyDictionary<string, int> ports,
        out string error)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(overrides);
        var assigned = new Dictionary<string, int>(StringComparer.Ordinal);
        ports = assigned;

        var unknown = overrides.Keys.Where(k => requests.All(r => r.Key != k)).ToList();
        if (unknown.Count > 0)
        {
            error = $"--port names unknown resource(s) {string.Join(", ", unknown)}; known: {string.Join(", ", requests.Select(r => r.Key))}.";
            return false;
        }

        foreach (var request in requests)
        {
            if (overrides.TryGetValue(request.Key, out var pinned))
            {
                assigned[request.Key] = pinned;
            }
            else if (mode == PortMode.Fixed)
            {
                assigned[request.Key] = request.FixedPort;
            }
        }

        foreach (var request in requests.Where(r => !assigned.ContainsKey(r.Key)))
        {
            int port;
            do
            {
                port = PickFreePort();
            }
            while (assigned.ContainsValue(port));

            assigned[request.Key] = port;
        }

        var clash = assigned.GroupBy(p => p.Value).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
        {
            error = $"Port {clash.Key} is assigned to more than one resource: {string.Join(", ", clash.Select(p => p.Key))}.";
            return false;
        }

        foreach (var (key, port) in assigned)
        {
            if (!CanBind(port))
            {
                error = $"Port {port} for '{key}' is already in use. Stop whatever listens on it, pin another port with --port {key}=PORT, or use --ports auto.";
                return false;
            }
        }

        error = "";
        return true;
    }

    private static int PickFreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static bool CanBind(int port)
    {
        // A listen (not just a bind) so that the check fails the same way the child's own listen would.
        using var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
