using System.Globalization;

namespace Gateway.Billing.Bench;

/// <summary>Command-line settings; every one has a default.</summary>
internal sealed record BenchOptions(IReadOnlyList<string> Stores, int Pairs, int Warmup, int Concurrency, int Accounts)
{
    public const string Usage = """
        Billing.Bench: reserve+finalize pairs through HTTP → BillingService → LocalSidecar → state store.
          --store sqlite|postgresql|both   (default both)
          --pairs N                        measured pairs per store (default 5000)
          --warmup N                       pairs before measuring (default 500)
          --concurrency N                  pairs in flight (default 32)
          --accounts N                     accounts the pairs are spread over (default 16)
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(["sqlite", "postgresql"], 5_000, 500, 32, 16);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            options = args[i] switch
            {
                "--store" => options with { Stores = value == "both" ? ["sqlite", "postgresql"] : value is "sqlite" or "postgresql" ? [value] : throw new ArgumentException($"Unknown store '{value}'.\n{Usage}") },
                "--pairs" => options with { Pairs = Positive(value) },
                "--warmup" => options with { Warmup = int.Parse(value, CultureInfo.InvariantCulture) },
                "--concurrency" => options with { Concurrency = Positive(value) },
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
