namespace Gateway.PoolService.Services;

/// <summary>
/// The rules every <c>Backend</c> actor applies (section <c>Pool:Policy</c>). Defaults are stated
/// on each property; all are validated at start.
/// </summary>
internal sealed class BackendPolicyOptions
{
    /// <summary>The first cooldown after a 429 (n = 1). Default: 5 s. Between 100 ms and 1 hour.</summary>
    public TimeSpan CooldownBase { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest cooldown escalation reaches (an upstream Retry-After may go beyond). Default: 5 minutes. At least <see cref="CooldownBase"/>, at most 1 day.</summary>
    public TimeSpan CooldownMax { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest upstream Retry-After honoured; longer ones are cut to it. Default: 1 hour. Between 1 second and 1 day.</summary>
    public TimeSpan RetryAfterCap { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The emergency trickle: this fraction of a backend's RPM may still be granted per rolling
    /// minute while it cools down, when no pool has a backend that grants normally. At least one
    /// lease per minute when above zero. Default: 0.1. Between 0 (off) and 1.
    /// </summary>
    public double EmergencyFraction { get; set; } = 0.1;

    /// <summary>
    /// The width of one slot of the RPM window (see <see cref="Model.RateWindow"/>): capacity frees
    /// up at most this much later than an exact log would. Default: 1 s. Between 10 ms and 10 s.
    /// </summary>
    public TimeSpan RateSlotWidth { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Timeouts, connection errors or 5xx in a row that eject a backend. Default: 5. Between 1 and 1000.</summary>
    public int EjectAfterFailures { get; set; } = 5;

    /// <summary>How long an ejected backend gets no leases. Default: 30 s. Between 1 second and 1 hour.</summary>
    public TimeSpan EjectionDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Failed health probes in a row (k) that make a backend unhealthy until a probe passes. Default: 3. Between 1 and 100.</summary>
    public int UnhealthyAfterProbeFailures { get; set; } = 3;

    /// <summary>The problems with these values, each naming its field; empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        List<string> problems = [];
        Range(CooldownBase, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), nameof(CooldownBase));
        Range(CooldownMax, CooldownBase, TimeSpan.FromDays(1), nameof(CooldownMax));
        Range(RetryAfterCap, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), nameof(RetryAfterCap));
        Range(RateSlotWidth, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10), nameof(RateSlotWidth));
        Range(EjectionDuration, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), nameof(EjectionDuration));
        if (double.IsNaN(EmergencyFraction) || EmergencyFraction is < 0 or > 1)
        {
            problems.Add($"EmergencyFraction must be between 0 and 1, not {EmergencyFraction}");
        }

        if (EjectAfterFailures is < 1 or > 1000)
        {
            problems.Add($"EjectAfterFailures must be between 1 and 1000, not {EjectAfterFailures}");
        }

        if (UnhealthyAfterProbeFailures is < 1 or > 100)
        {
            problems.Add($"UnhealthyAfterProbeFailures must be between 1 and 100, not {UnhealthyAfterProbeFailures}");
        }

        return problems;

        void Range(TimeSpan value, TimeSpan min, TimeSpan max, string name)
        {
            if (value < min || value > max)
            {
                problems.Add($"{name} must be between {min} and {max}, not {value}");
            }
        }
    }
}
