using System.Globalization;
using System.Text;
using Gateway.AppHost.Processes;

namespace Gateway.AppHost.Startup;

/// <summary>
/// The block printed once everything is healthy. Its shape is a contract for scripts and tests: the
/// line <c>Gateway is ready.</c>, a header line, then one line per resource
/// <c>NAME KIND PID URL</c> separated by spaces, ending at the first empty line.
/// </summary>
internal static class ResourceTable
{
    public const string ReadyLine = "Gateway is ready.";

    private static readonly string[] Header = ["NAME", "KIND", "PID", "URL"];

    public static string Format(int appHostProcessId, IReadOnlyList<ChildProcess> children)
    {
        ArgumentNullException.ThrowIfNull(children);
        var rows = new List<string[]> { Header, Row("apphost", "host", appHostProcessId, "-") };
        rows.AddRange(children.Select(c => Row(c.Spec.Name, c.Spec.Kind.ToString().ToLowerInvariant(), c.Id, c.Spec.Url)));
        var widths = Enumerable.Range(0, 4).Select(i => rows.Max(r => r[i].Length) + 2).ToArray();

        var text = new StringBuilder().AppendLine(ReadyLine);
        foreach (var row in rows)
        {
            text.AppendLine(string.Concat(row.Select((cell, i) => i < row.Length - 1 ? cell.PadRight(widths[i]) : cell)));
        }

        return text.AppendLine().ToString();
    }

    private static string[] Row(string name, string kind, int processId, string url) =>
        [name, kind, processId.ToString(CultureInfo.InvariantCulture), url];
}
