using System.Collections.Concurrent;
using Gateway.PoolService.Infrastructure;
using Gateway.PoolService.Model;
using Gateway.ServiceDefaults.Dapr;
using Microsoft.Extensions.Options;

namespace Gateway.PoolService.Services;

/// <summary>How recording one report ended.</summary>
internal enum UsageWrite
{
    Recorded,

    /// <summary>A report with the same id was already applied: nothing added.</summary>
    Duplicate,

    /// <summary>Concurrent writers kept winning: nothing added by this call.</summary>
    Contention,
}

/// <summary>One minute of one backend and model, as <c>GET /usage</c> answers it.</summary>
internal sealed record UsageMinute(string BackendId, string Model, DateTimeOffset Minute, UsageBucket Figures);

/// <summary>
/// Usage per backend, model and minute in the state store: hour documents of minute buckets
/// (<see cref="UsageHour"/>) and an hourly index of the backend/model pairs seen
/// (<see cref="UsageIndex"/>), both kept for <see cref="PoolOptions.UsageRetention"/>.
/// </summary>
internal sealed class UsageLedger(DaprStateClient state, IOptions<PoolOptions> options, ILogger<UsageLedger> logger)
{
    /// <summary>Keys per bulk read: keeps one sidecar request reasonably small.</summary>
    private const int BulkChunk = 200;

    // Pairs this replica already saw in the index, by hour: most reports need no index write.
    private readonly ConcurrentDictionary<(DateTimeOffset Hour, UsagePair Pair), byte> _indexed = new();

    private string StoreName => options.Value.StoreName;

    private TimeSpan TimeToLive => options.Value.UsageRetention + TimeSpan.FromHours(1);

    /// <summary>Adds <paramref name="report"/> to its minute, exactly once per report id.</summary>
    /// <exception cref="DaprApiException">The store could not be read, or refused the request itself.</exception>
    public async Task<UsageWrite> RecordAsync(UsageReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var hour = StateKeys.HourOf(report.At);

        // Indexed first: a document the index does not list could never be found by a query.
        if (!await EnsureIndexedAsync(hour, new UsagePair(report.BackendId, report.Model), cancellationToken).ConfigureAwait(false))
        {
            return UsageWrite.Contention;
        }

        var key = StateKeys.UsageHour(report.BackendId, report.Model, hour);
        for (var attempt = 1; attempt <= options.Value.MaxWriteAttempts; attempt++)
        {
            var entry = await state.GetStateAsync<UsageHour>(StoreName, key, cancellationToken).ConfigureAwait(false);
            var current = entry?.Value ?? new UsageHour { BackendId = report.BackendId, Model = report.Model, Hour = hour };
            if (current.Applied(report.Id))
            {
                return UsageWrite.Duplicate;
            }

            var written = await state.TrySaveStateAsync(StoreName, key, current.Apply(report), entry?.ETag, TimeToLive, cancellationToken).ConfigureAwait(false);
            if (written.IsWritten)
            {
                return UsageWrite.Recorded;
            }
        }

        PoolLog.UsageContention(logger, report.BackendId, options.Value.MaxWriteAttempts);
        return UsageWrite.Contention;
    }

    /// <summary>
    /// The minutes in [<paramref name="from"/>, <paramref name="to"/>) with usage, filtered by
    /// backend and canonical model when given, ordered by minute, backend, model.
    /// </summary>
    /// <exception cref="DaprApiException">The store could not be read.</exception>
    public async Task<IReadOnlyList<UsageMinute>> QueryAsync(string? backendId, string? model, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var hours = new List<DateTimeOffset>();
        for (var hour = StateKeys.HourOf(from); hour < to; hour = hour.AddHours(1))
        {
            hours.Add(hour);
        }

        var indexes = await ReadAsync<UsageIndex>([.. hours.Select(StateKeys.UsageIndex)], cancellationToken).ConfigureAwait(false);
        var keys = new List<string>();
        foreach (var index in indexes)
        {
            keys.AddRange(index.Pairs
                .Where(p => (backendId is null || p.BackendId == backendId) && (model is null || p.Model == model))
                .Select(p => StateKeys.UsageHour(p.BackendId, p.Model, index.Hour)));
        }

        var minutes = new List<UsageMinute>();
        foreach (var document in await ReadAsync<UsageHour>(keys, cancellationToken).ConfigureAwait(false))
        {
            foreach (var (minute, figures) in document.Minutes)
            {
                var at = document.Hour.AddMinutes(minute);
                if (at >= from && at < to)
                {
                    minutes.Add(new UsageMinute(document.BackendId, document.Model, at, figures));
                }
            }
        }

        return [.. minutes
            .OrderBy(m => m.Minute)
            .ThenBy(m => m.BackendId, StringComparer.Ordinal)
            .ThenBy(m => m.Model, StringComparer.Ordinal)];
    }

    private async Task<bool> EnsureIndexedAsync(DateTimeOffset hour, UsagePair pair, CancellationToken cancellationToken)
    {
        if (_indexed.ContainsKey((hour, pair)))
        {
            return true;
        }

        var key = StateKeys.UsageIndex(hour);
        for (var attempt = 1; attempt <= options.Value.MaxWriteAttempts; attempt++)
        {
            var entry = await state.GetStateAsync<UsageIndex>(StoreName, key, cancellationToken).ConfigureAwait(false);
            var index = entry?.Value ?? new UsageIndex { Hour = hour };
            if (index.Pairs.Contains(pair))
            {
                Remember(hour, pair);
                return true;
            }

            var written = await state.TrySaveStateAsync(StoreName, key, index with { Pairs = index.Pairs.Add(pair) }, entry?.ETag, TimeToLive, cancellationToken).ConfigureAwait(false);
            if (written.IsWritten)
            {
                Remember(hour, pair);
                return true;
            }
        }

        PoolLog.UsageContention(logger, pair.BackendId, options.Value.MaxWriteAttempts);
        return false;
    }

    private void Remember(DateTimeOffset hour, UsagePair pair)
    {
        _indexed.TryAdd((hour, pair), 0);

        // Only the current hours matter for writes; drop what is older so the set stays small.
        foreach (var old in _indexed.Keys.Where(k => k.Hour < hour.AddHours(-2)))
        {
            _indexed.TryRemove(old, out _);
        }
    }

    private async Task<List<T>> ReadAsync<T>(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var found = new List<T>();
        foreach (var chunk in keys.Chunk(BulkChunk))
        {
            var items = await state.GetBulkStateAsync<T>(StoreName, chunk, cancellationToken: cancellationToken).ConfigureAwait(false);
            found.AddRange(items.Where(i => i.Found && i.Value is not null).Select(i => i.Value!));
        }

        return found;
    }
}
