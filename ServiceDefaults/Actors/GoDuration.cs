using System.Globalization;
using System.Text;

namespace Gateway.ServiceDefaults.Actors;

/// <summary>
/// Writes a <see cref="TimeSpan"/> as Go's <c>time.Duration.String()</c> does (<c>1h0m0s</c>,
/// <c>30s</c>, <c>1m30.5s</c>, <c>250ms</c>), the form daprd parses for actor settings, reminders and timers.
/// </summary>
internal static class GoDuration
{
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var builder = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            builder.Append('-');
            value = value == TimeSpan.MinValue ? TimeSpan.MaxValue : value.Negate();
        }

        // One tick is 100 ns: Go prints sub-second values in the largest unit below one.
        var ticks = value.Ticks;
        if (ticks < TimeSpan.TicksPerSecond)
        {
            return ticks < TimeSpan.TicksPerMicrosecond
                ? builder.Append((ticks * 100).ToString(CultureInfo.InvariantCulture)).Append("ns").ToString()
                : ticks < TimeSpan.TicksPerMillisecond
                    ? AppendFraction(builder, ticks * 100, 3).Append("µs").ToString()
                    : AppendFraction(builder, ticks * 100, 6).Append("ms").ToString();
        }

        var hours = ticks / TimeSpan.TicksPerHour;
        var minutes = ticks / TimeSpan.TicksPerMinute % 60;
        var secondTicks = ticks % TimeSpan.TicksPerMinute;
        if (hours > 0)
        {
            builder.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || minutes > 0)
        {
            builder.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        return AppendFraction(builder, secondTicks * 100, 9).Append('s').ToString();
    }

    /// <summary>Appends <paramref name="nanoseconds"/> in a unit of 10^<paramref name="digits"/> ns, the fraction's trailing zeros dropped as Go does.</summary>
    private static StringBuilder AppendFraction(StringBuilder builder, long nanoseconds, int digits)
    {
        var unit = (long)Math.Pow(10, digits);
        builder.Append((nanoseconds / unit).ToString(CultureInfo.InvariantCulture));
        var fraction = nanoseconds % unit;
        if (fraction == 0)
        {
            return builder;
        }

        return builder.Append('.').Append(fraction.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0'));
    }
}
