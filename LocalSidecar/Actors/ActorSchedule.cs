using System.Globalization;
using Gateway.LocalSidecar.Components;

namespace Gateway.LocalSidecar.Actors;

/// <summary>
/// A reminder or timer period as daprd reads it: an ISO-8601 duration (<c>PT10S</c>, <c>P1DT2H</c>,
/// optionally repeated: <c>R5/PT10S</c>) or a Go duration (<c>10s</c>, <c>0h0m3s0ms</c>).
/// Years, months and days are calendar units, added as such.
/// </summary>
internal sealed record ActorPeriod(string Value, int Years, int Months, int Days, TimeSpan Duration, int Repeats)
{
    /// <summary>An empty period: fire once.</summary>
    public static readonly ActorPeriod Once = new("", 0, 0, 0, TimeSpan.Zero, -1);

    /// <summary>True when there is a following firing: a non-zero period and repetitions left.</summary>
    public bool HasRepeats => Repeats != 0 && (Years != 0 || Months != 0 || Days != 0 || Duration != TimeSpan.Zero);

    public DateTimeOffset Following(DateTimeOffset time) => time.AddYears(Years).AddMonths(Months).AddDays(Days).Add(Duration);

    public static bool TryParse(string? text, out ActorPeriod period, out string? error)
    {
        period = Once;
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (ActorTime.TryParseIso8601(text, out var years, out var months, out var days, out var duration, out var repeats))
        {
            if (repeats == 0)
            {
                error = "has zero repetitions";
                return false;
            }

            period = new ActorPeriod(text, years, months, days, duration, repeats);
            return true;
        }

        if (GoDuration.TryParse(text, out duration))
        {
            period = new ActorPeriod(text, 0, 0, 0, duration, -1);
            return true;
        }

        error = "unsupported duration format: " + text;
        return false;
    }
}

/// <summary>The time formats of reminder and timer requests (dapr/kit's time package).</summary>
internal static class ActorTime
{
    /// <summary>
    /// A dueTime or ttl: an ISO-8601 duration (no repetitions) or a Go duration from
    /// <paramref name="start"/>, or an RFC 3339 timestamp. Empty means <paramref name="start"/>.
    /// </summary>
    public static bool TryParseTime(string? text, DateTimeOffset start, out DateTimeOffset time, out string? error)
    {
        time = start;
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (TryParseIso8601(text, out var years, out var months, out var days, out var duration, out var repeats))
        {
            if (repeats != -1)
            {
                error = "repetitions are not allowed";
                return false;
            }

            time = start.AddYears(years).AddMonths(months).AddDays(days).Add(duration);
            return true;
        }

        if (GoDuration.TryParse(text, out duration))
        {
            time = start.Add(duration);
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var timestamp) && text.Contains('T', StringComparison.Ordinal))
        {
            time = timestamp;
            return true;
        }

        error = "unsupported time/duration format: " + text;
        return false;
    }

    /// <summary>
    /// ISO-8601 durations with an optional repetition prefix, as dapr/kit parses them: whole
    /// numbers only; <c>M</c> is months before <c>T</c> and minutes after. Repeats is -1 when absent.
    /// </summary>
    public static bool TryParseIso8601(string text, out int years, out int months, out int days, out TimeSpan duration, out int repeats)
    {
        years = months = days = 0;
        duration = TimeSpan.Zero;
        repeats = -1;
        if (text.Length < 2)
        {
            return false;
        }

        var i = 0;
        if (text[0] == 'R')
        {
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            var end = slash < 0 ? text.Length : slash;
            if (end < 2 || !int.TryParse(text.AsSpan(1, end - 1), NumberStyles.None, CultureInfo.InvariantCulture, out repeats))
            {
                return false;
            }

            i = end + 1;
            if (i >= text.Length)
            {
                return true;
            }
        }

        if (text[i] != 'P')
        {
            return false;
        }

        i++;
        var start = i;
        var inTime = false;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiDigit(c))
            {
                continue;
            }

            if (c == 'T')
            {
                if (start != i)
                {
                    return false;
                }

                inTime = true;
                start = i + 1;
                continue;
            }

            if (start == i || !int.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            switch (c)
            {
                case 'Y' when !inTime:
                    years = value;
                    break;
                case 'W' when !inTime:
                    days += value * 7;
                    break;
                case 'D' when !inTime:
                    days += value;
                    break;
                case 'M':
                    if (inTime)
                    {
                        duration += TimeSpan.FromMinutes(value);
                    }
                    else
                    {
                        months = value;
                    }

                    break;
                case 'H' when inTime:
                    duration += TimeSpan.FromHours(value);
                    break;
                case 'S' when inTime:
                    duration += TimeSpan.FromSeconds(value);
                    break;
                default:
                    return false;
            }

            start = i + 1;
        }

        return start == text.Length;
    }
}

/// <summary>When a reminder or timer first fires, how it repeats, and when it expires.</summary>
internal sealed record ActorSchedule(DateTimeOffset Due, ActorPeriod Period, DateTimeOffset? Expires)
{
    /// <summary>Reads the <c>dueTime</c>, <c>period</c> and <c>ttl</c> of a registration made at <paramref name="now"/>.</summary>
    public static bool TryParse(string? dueTime, string? period, string? ttl, DateTimeOffset now, out ActorSchedule schedule, out string? error)
    {
        schedule = new ActorSchedule(now, ActorPeriod.Once, null);
        if (!ActorTime.TryParseTime(dueTime, now, out var due, out error) || !ActorPeriod.TryParse(period, out var parsedPeriod, out error))
        {
            return false;
        }

        DateTimeOffset? expires = null;
        if (!string.IsNullOrEmpty(ttl))
        {
            if (!ActorTime.TryParseTime(ttl, now, out var end, out error))
            {
                return false;
            }

            expires = end;
        }

        schedule = new ActorSchedule(due, parsedPeriod, expires);
        return true;
    }
}
