using System.Globalization;

namespace Gateway.Billing.Bench;

/// <summary>Command-line settings; every one has a default.</summary>
internal sealed record BenchOptions(IReadOnlyList<string> Stores, int Pairs, int Warmup, IReadOnlyList<int> Concurrency, int Accounts)
{
    public const string Usage = """
        Billing.Bench: reserve+finalize pairs through HTTP → BillingService → LocalSidecar → state store.
          --store sqlite|postgresql|both   (default both)
          --pairs N                        measured pairs per run (default 3000)
          --warmup N                       pairs before each run (default 300)
          --concurrency N[,N...]           pairs in flight, one run per value (default 1,8,32)
          --accounts N                     accounts the pairs are spread over (default 16)
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(["sqlite", "postgresql"], 3_000, 300, [1, 8, 32], 16);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            options = args[i] switch
            {
                "--store" => options with { Stores = value == "both" ? ["sqlite", "postgresql"] : value is "sqlite" or "postgresql" ? [value] : throw new ArgumentException($"Unknown store '{value}'.\n{Usage}") },
                "--pairs" => options with { Pairs = Positive(value) },
                "--warmup" => options with { Warmup = int.Parse(value, CultureInfo.InvariantCulture) },
                "--concurrency" => options with { Concurrency = [.. value.Split(',').Select(Positive)] },
                "--accounts" => options with { Accounts = Positive(value) },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'.\n{Usage}"),
            };
            i++;
        }

        return options;
    }

    private static int Positive(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new ArgumentException($"'{value}' is not a positive number.\n{Usage}");
}
