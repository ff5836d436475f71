using System.Globalization;

namespace Gateway.Pool.Bench;

/// <summary>
/// <c>--leases N</c> (per run, default 3000), <c>--warmup N</c> (default 300),
/// <c>--concurrency 1,8,32</c>, <c>--replicas 1,2</c> (PoolService processes, each with its sidecar).
/// </summary>
internal sealed record BenchOptions(int Leases, int Warmup, IReadOnlyList<int> Concurrency, IReadOnlyList<int> Replicas)
{
    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(3000, 300, [1, 8, 32], [1, 2]);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--leases" => options with { Leases = Positive(value, args[i]) },
                "--warmup" => options with { Warmup = int.Parse(value, CultureInfo.InvariantCulture) },
                "--concurrency" => options with { Concurrency = List(value, args[i]) },
                "--replicas" => options with { Replicas = List(value, args[i]) },
                _ => throw new ArgumentException($"unknown option {args[i]}; options: --leases N --warmup N --concurrency 1,8,32 --replicas 1,2"),
            };
            i++;
        }

        return options;
    }

    private static int Positive(string value, string name) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive number");

    private static int[] List(string value, string name) => [.. value.Split(',').Select(v => Positive(v, name))];
}
