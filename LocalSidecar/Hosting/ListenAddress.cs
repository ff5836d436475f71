using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gateway.LocalSidecar.Hosting;

/// <summary>One address of <c>--dapr-listen-addresses</c>: an IP address, <c>localhost</c>, or empty for every interface.</summary>
internal static class ListenAddress
{
    public static bool IsValid(string address) =>
        address.Length == 0 || string.Equals(address, "localhost", StringComparison.OrdinalIgnoreCase) || IPAddress.TryParse(address.Trim('[', ']'), out _);

    public static void Listen(KestrelServerOptions kestrel, string address, int port, Action<ListenOptions>? configure = null)
    {
        configure ??= static _ => { };
        if (address.Length == 0)
        {
            kestrel.ListenAnyIP(port, configure);
        }
        else if (string.Equals(address, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(port, configure);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(address.Trim('[', ']')), port, configure);
        }
    }
}
