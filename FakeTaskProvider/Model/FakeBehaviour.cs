using System.Globalization;

namespace Gateway.FakeTaskProvider.Model;

/// <summary>How a request asks the fake to misbehave, from an <c>X-Fake-{Name}</c> header or a <c>fake_{name}</c> query parameter.</summary>
internal static class FakeBehaviour
{
    /// <summary>
    /// The misbehaviour asked for: <c>429</c>, <c>500</c> (or any status), <c>hang</c> (no answer
    /// for 10 minutes), <c>delay:{ms}</c>, <c>error-code</c> (200 with an error code and no task id),
    /// <c>no-task-id</c> (200 without a task id), or several in order, comma-separated (e.g.
    /// <c>delay:1500,500</c>: wait, then fail); null for none.
    /// </summary>
    public static string? Read(HttpRequest request, string name)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers["X-Fake-" + name].ToString();
        if (header.Length > 0)
        {
            return header;
        }

        var query = request.Query["fake_" + name.ToLowerInvariant()].ToString();
        return query.Length > 0 ? query : null;
    }

    public static int ReadInt(HttpRequest request, string name, int fallback) =>
        int.TryParse(Read(request, name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    /// <summary>Waits as <c>hang</c> or <c>delay:{ms}</c> asks; returns the error status asked for instead of an answer, or null to answer normally.</summary>
    public static async Task<int?> ApplyAsync(string? behaviours, TimeProvider time, CancellationToken cancellationToken)
    {
        foreach (var behaviour in (behaviours ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (await ApplyOneAsync(behaviour, time, cancellationToken).ConfigureAwait(false) is { } status)
            {
                return status;
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="behaviours"/> lists <paramref name="name"/>.</summary>
    public static bool Has(string? behaviours, string name) =>
        (behaviours ?? "").Split(',', StringSplitOptions.TrimEntries).Contains(name, StringComparer.Ordinal);

    private static async Task<int?> ApplyOneAsync(string? behaviour, TimeProvider time, CancellationToken cancellationToken)
    {
        switch (behaviour)
        {
            case null:
                return null;
            case "hang":
                await Task.Delay(TimeSpan.FromMinutes(10), time, cancellationToken).ConfigureAwait(false);
                return null;
            case var delay when delay.StartsWith("delay:", StringComparison.Ordinal)
                && int.TryParse(delay.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds):
                await Task.Delay(TimeSpan.FromMilliseconds(milliseconds), time, cancellationToken).ConfigureAwait(false);
                return null;
            case var status when int.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 400 and < 600:
                return code;
            default:
                return null;
        }
    }
}
