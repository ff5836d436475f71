using System.Globalization;
using System.Text;

namespace Gateway.PoolService.Model;

/// <summary>
/// The keys of PoolService's documents in the state store (the sidecar prefixes them with the app
/// id). Backend actor state lives apart, under the actor's own keys (<see cref="Services.BackendActor"/>).
/// </summary>
internal static class StateKeys
{
    /// <summary>The one registry document: backends, pools and aliases under a single ETag.</summary>
    public const string Registry = "registry";

    /// <summary>
    /// <c>usage|{backend}|{model}|{yyyyMMddHH}</c>: one hour of one backend's usage of one model, by minute.
    /// Model names are free text, so they are escaped (<see cref="Part"/>).
    /// </summary>
    public static string UsageHour(string backendId, string model, DateTimeOffset hour) =>
        $"usage|{Part(backendId)}|{Part(model)}|{HourStamp(hour)}";

    /// <summary><c>usage-index|{yyyyMMddHH}</c>: which backend/model pairs have usage in that hour.</summary>
    public static string UsageIndex(DateTimeOffset hour) => $"usage-index|{HourStamp(hour)}";

    /// <summary>The start of the UTC hour holding <paramref name="time"/>.</summary>
    public static DateTimeOffset HourOf(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    private static string HourStamp(DateTimeOffset hour) => HourOf(hour).ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    /// <summary>
    /// A key part that cannot be confused with a separator: <c>%</c>, <c>|</c> and <c>/</c> (which
    /// the sidecar cannot address in a URL) are percent-encoded, everything else kept, so the key
    /// stays readable in the store.
    /// </summary>
    public static string Part(string value)
    {
        if (value.AsSpan().IndexOfAny("%|/") < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            _ = c switch
            {
                '%' => builder.Append("%25"),
                '|' => builder.Append("%7C"),
                '/' => builder.Append("%2F"),
                _ => builder.Append(c),
            };
        }

        return builder.ToString();
    }
}
