using System.Globalization;
using System.Net;

namespace Gateway.EndToEnd.Tests.Support;

/// <summary>The addresses the kernel has TCP listeners on for a port (<c>/proc/net/tcp</c> and <c>tcp6</c>).</summary>
public static class ListeningSockets
{
    private const string Listen = "0A";

    public static IReadOnlyList<IPAddress> OnPort(int port)
    {
        var found = new List<IPAddress>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            // "sl local_address rem_address st ...": local_address is hex address:port, the address in the kernel's byte order per 32-bit word.
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var local = fields[1].Split(':');
                if (fields[3] == Listen && int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
                {
                    found.Add(Address(local[0]));
                }
            }
        }

        return found;
    }

    private static IPAddress Address(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        for (var word = 0; word < bytes.Length; word += 4)
        {
            Array.Reverse(bytes, word, 4);
        }

        return new IPAddress(bytes);
    }
}
