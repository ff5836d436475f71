namespace Gateway.PoolService.Infrastructure;

/// <summary>
/// Active health probing (section <c>Pool:Probing</c>). Which backends are probed, where and how
/// often is per backend (<c>healthPath</c>, <c>healthIntervalSeconds</c>); how many failures in a
/// row make one unhealthy is <c>Pool:Policy:UnhealthyAfterProbeFailures</c>.
/// </summary>
internal sealed class ProbingOptions
{
    /// <summary>Whether this replica probes at all. Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long one probe may take before it counts as failed. Default: 5 s. Between 100 ms and 1 minute.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Probes in flight at once. Default: 8. Between 1 and 256.</summary>
    public int MaxConcurrency { get; set; } = 8;

    public IReadOnlyList<string> Validate()
    {
        List<string> problems = [];
        if (Timeout < TimeSpan.FromMilliseconds(100) || Timeout > TimeSpan.FromMinutes(1))
        {
            problems.Add($"Timeout must be between 100 ms and 1 minute, not {Timeout}");
        }

        if (MaxConcurrency is < 1 or > 256)
        {
            problems.Add($"MaxConcurrency must be between 1 and 256, not {MaxConcurrency}");
        }

        return problems;
    }
}
