namespace Gateway.AppHost.Processes;

/// <summary>
/// The AppHost's console: children's lines under a <c>[resource]</c> prefix, its own status under
/// <c>[apphost]</c>. Each line is one write, so lines from concurrent children never interleave
/// (Console.Out and Console.Error are synchronized).
/// </summary>
internal sealed class ConsoleOutput
{
    private const string Self = "apphost";
    private const string Reset = "\u001b[0m";
    private static readonly string[] Palette = ["\u001b[36m", "\u001b[32m", "\u001b[33m", "\u001b[35m", "\u001b[34m", "\u001b[96m", "\u001b[92m", "\u001b[93m"];

    private readonly Dictionary<string, string> _prefixes = new(StringComparer.Ordinal);
    private readonly bool _color;

    public ConsoleOutput(IReadOnlyList<string> resourceNames, bool color)
    {
        ArgumentNullException.ThrowIfNull(resourceNames);
        _color = color;
        var width = resourceNames.Append(Self).Max(n => n.Length) + 2;
        for (var i = 0; i < resourceNames.Count; i++)
        {
            _prefixes[resourceNames[i]] = Prefix(resourceNames[i], width, Palette[i % Palette.Length]);
        }

        _prefixes[Self] = Prefix(Self, width, "\u001b[1m");
    }

    /// <summary>Colors only for a person at a terminal: not when redirected, not when NO_COLOR is set (no-color.org).</summary>
    public static bool ShouldColor(bool noColorOption) =>
        !noColorOption && !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    public void ChildLine(string resource, string line, bool fromStandardError)
    {
        var text = _prefixes[resource] + line;
        if (fromStandardError)
        {
            Console.Error.WriteLine(text);
        }
        else
        {
            Console.Out.WriteLine(text);
        }
    }

    public void Info(string message) => Console.Out.WriteLine(_prefixes[Self] + message);

    public void Error(string message) =>
        Console.Error.WriteLine(_prefixes[Self] + (_color ? "\u001b[31merror:" + Reset + " " : "error: ") + message);

    /// <summary>A multi-line block (the resource table) in one write, without prefix, so it stays parseable.</summary>
    public static void Block(string text) => Console.Out.Write(text);

    private string Prefix(string name, int width, string color)
    {
        var label = ("[" + name + "]").PadRight(width);
        return _color ? color + label + Reset + " " : label + " ";
    }
}
