using Microsoft.Extensions.Time.Testing;

namespace Gateway.Testing;

/// <summary>Manual clocks for tests: Microsoft.Extensions.TimeProvider.Testing's <see cref="FakeTimeProvider"/>, started at one fixed instant.</summary>
public static class TestClock
{
    /// <summary>Where a clock made without a start begins.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    /// <summary>A clock that moves only when told; its timers fire inside <see cref="FakeTimeProvider.Advance"/>.</summary>
    public static FakeTimeProvider Create(DateTimeOffset? start = null) => new(start ?? DefaultStart);
}
