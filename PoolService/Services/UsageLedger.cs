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
internal sealed class UsageLedger(StateStoreClient state, IOptions<PoolOptions> options, TimeProvider timers, ILogger<UsageLedger> logger) : IDisposable
{
    /// <summary>Keys per bulk read: keeps one sidecar request reasonably small.</summary>
    private const int BulkChunk = 200;

    // Pairs this replica already saw in the index, by hour: most reports need no index write.
    private readonly ConcurrentDictionary<(DateTimeOffset Hour, UsagePair Pair), byte> _indexed = new();

    // Index writes are rare (a pair's first report of an hour) but come in bursts at the top of
    // the hour: taking turns within the replica leaves only other replicas to conflict with.
    private readonly SemaphoreSlim _indexTurn = new(1, 1);

    // One lane per hour document with reports waiting or being written.
    private readonly ConcurrentDictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    private string StoreName => options.Value.StoreName;

    private TimeSpan TimeToLive => options.Value.UsageRetention + TimeSpan.FromHours(1);

    /// <summary>
    /// Adds <paramref name="report"/> to its minute, exactly once per report id. Reports for one
    /// hour document queue in one lane per replica and are written together (group commit): one
    /// read and one conditional write for however many arrived meanwhile, so a busy backend does
    /// not turn into a storm of ETag conflicts. Other replicas' writes still conflict, and are
    /// re-read and re-applied.
    /// </summary>
    /// <exception cref="global::Dapr.DaprException">The store could not be read, or refused the request itself.</exception>
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
        var pending = new PendingReport(report);
        while (true)
        {
            var lane = _lanes.GetOrAdd(key, static _ => new Lane());
            bool lead;
            lock (lane)
            {
                if (lane.Closed)
                {
                    continue;
                }

                lane.Pending.Add(pending);
                lead = !lane.Writing;
                lane.Writing = true;
            }

            if (lead)
            {
                // The writes outlive any one caller: a cancelled request must not fail the others' reports.
                _ = Task.Run(() => DrainAsync(key, lane, hour, report), CancellationToken.None);
            }

            break;
        }

        return await pending.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task DrainAsync(string key, Lane lane, DateTimeOffset hour, UsageReport first)
    {
        while (true)
        {
            List<PendingReport> batch;
            lock (lane)
            {
                if (lane.Pending.Count == 0)
                {
                    lane.Writing = false;
                    lane.Closed = true;
                    _lanes.TryRemove(new KeyValuePair<string, Lane>(key, lane));
                    return;
                }

                batch = [.. lane.Pending];
                lane.Pending.Clear();
            }

            try
            {
                await WriteAsync(key, hour, first.BackendId, first.Model, batch).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(e);
                }
            }
        }
    }

    private async Task WriteAsync(string key, DateTimeOffset hour, string backendId, string model, List<PendingReport> batch)
    {
        for (var attempt = 1; attempt <= options.Value.MaxWriteAttempts; attempt++)
        {
            await BackOffAsync(attempt, CancellationToken.None).ConfigureAwait(false);
            var entry = await state.GetStateAsync<UsageHour>(StoreName, key).ConfigureAwait(false);
            var document = entry?.Value ?? new UsageHour { BackendId = backendId, Model = model, Hour = hour };
            var fresh = new List<PendingReport>();
            foreach (var pending in batch)
            {
                if (document.Applied(pending.Report.Id))
                {
                    pending.Done.TrySetResult(UsageWrite.Duplicate);
                }
                else if (!fresh.Exists(p => p.Report.Id == pending.Report.Id))
                {
                    document = document.Apply(pending.Report);
                    fresh.Add(pending);
                }
                else
                {
                    pending.Done.TrySetResult(UsageWrite.Duplicate);
                }
            }

            if (fresh.Count == 0)
            {
                return;
            }

            var written = await state.TrySaveStateAsync(StoreName, key, document, entry?.ETag, TimeToLive).ConfigureAwait(false);
            if (written.IsWritten)
            {
                fresh.ForEach(p => p.Done.TrySetResult(UsageWrite.Recorded));
                return;
            }

            // Re-read: another replica won, or the write may have landed (its ids then show it).
            batch = fresh;
        }

        PoolLog.UsageContention(logger, backendId, options.Value.MaxWriteAttempts);
        batch.ForEach(p => p.Done.TrySetResult(UsageWrite.Contention));
    }

    /// <summary>
    /// The minutes in [<paramref name="from"/>, <paramref name="to"/>) with usage, filtered by
    /// backend and canonical model when given, ordered by minute, backend, model.
    /// </summary>
    /// <exception cref="global::Dapr.DaprException">The store could not be read.</exception>
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

    public void Dispose() => _indexTurn.Dispose();

    private async Task<bool> EnsureIndexedAsync(DateTimeOffset hour, UsagePair pair, CancellationToken cancellationToken)
    {
        if (_indexed.ContainsKey((hour, pair)))
        {
            return true;
        }

        await _indexTurn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var key = StateKeys.UsageIndex(hour);
            for (var attempt = 1; attempt <= options.Value.MaxWriteAttempts; attempt++)
            {
                if (_indexed.ContainsKey((hour, pair)))
                {
                    return true;
                }

                await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
                var entry = await state.GetStateAsync<UsageIndex>(StoreName, key, cancellationToken).ConfigureAwait(false);
                var index = entry?.Value ?? new UsageIndex { Hour = hour };
                if (index.Pairs.Contains(pair))
                {
                    Remember(hour, index.Pairs);
                    return true;
                }

                var written = await state.TrySaveStateAsync(StoreName, key, index with { Pairs = index.Pairs.Add(pair) }, entry?.ETag, TimeToLive, cancellationToken).ConfigureAwait(false);
                if (written.IsWritten)
                {
                    Remember(hour, index.Pairs.Add(pair));
                    return true;
                }
            }
        }
        finally
        {
            _indexTurn.Release();
        }

        PoolLog.UsageContention(logger, pair.BackendId, options.Value.MaxWriteAttempts);
        return false;
    }

    /// <summary>Before a retry after a lost conditional write: a short, random, growing pause, so replicas do not collide again in step.</summary>
    private Task BackOffAsync(int attempt, CancellationToken cancellationToken) =>
        attempt == 1 ? Task.CompletedTask : Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 25) * attempt), timers, cancellationToken);

    private void Remember(DateTimeOffset hour, IEnumerable<UsagePair> pairs)
    {
        foreach (var pair in pairs)
        {
            _indexed.TryAdd((hour, pair), 0);
        }

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

    /// <summary>Reports waiting for one hour document; changed under its own lock.</summary>
    private sealed class Lane
    {
        public List<PendingReport> Pending { get; } = [];

        public bool Writing { get; set; }

        /// <summary>Drained and removed: a reporter that still found it takes a new lane.</summary>
        public bool Closed { get; set; }
    }

    private sealed class PendingReport(UsageReport report)
    {
        public UsageReport Report { get; } = report;

        public TaskCompletionSource<UsageWrite> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
