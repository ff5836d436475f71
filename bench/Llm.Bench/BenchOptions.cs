using System.Globalization;

namespace Gateway.Llm.Bench;

/// <summary>
/// <c>--requests N</c> (per path and concurrency, default 3000), <c>--warmup N</c> (per path in
/// each warm-up round; rounds repeat for at least 2 s before each concurrency, default 300),
/// <c>--concurrency 1,8,32</c>, <c>--rounds N</c> (slices each path's requests are cut into, the
/// paths taking turns slice by slice, default 5), <c>--nginx auto|off</c> (auto, the default: the
/// nginx path when an <c>nginx</c> binary is on PATH).
/// </summary>
internal sealed record BenchOptions(int Requests, int Warmup, IReadOnlyList<int> Concurrency, int Rounds, bool Nginx)
{
    private const string Usage = "options: --requests N --warmup N --concurrency 1,8,32 --rounds N --nginx auto|off";

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(3000, 300, [1, 8, 32], 5, true);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--requests" => options with { Requests = Positive(value, args[i]) },
                "--warmup" => options with { Warmup = int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : throw new ArgumentException("--warmup must be 0 or more") },
                "--concurrency" => options with { Concurrency = [.. value.Split(',').Select(v => Positive(v, args[i]))] },
                "--rounds" => options with { Rounds = Positive(value, args[i]) },
                "--nginx" => options with { Nginx = value switch { "auto" => true, "off" => false, _ => throw new ArgumentException("--nginx must be auto or off") } },
                _ => throw new ArgumentException($"unknown option {args[i]}; {Usage}"),
            };
            i++;
        }

        return options.Rounds <= options.Requests ? options : throw new ArgumentException("--rounds must not exceed --requests");
    }

    private static int Positive(string value, string name) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive number");
}
