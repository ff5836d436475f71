using System.Diagnostics;
using System.Collections.Concurrent;
using Gateway.BillingService.Infrastructure;
using Gateway.BillingService.Model;
using Gateway.ServiceDefaults.Dapr;
using Microsoft.Extensions.Options;

namespace Gateway.BillingService.Services;

/// <summary>What one sweep pass did.</summary>
/// <param name="Buckets">Expiry buckets walked.</param>
/// <param name="Expired">Reservations this pass expired (its own transactions; another replica's do not count).</param>
/// <param name="Cursor">The cursor after the pass: buckets before it are done for good.</param>
internal sealed record SweepReport(int Buckets, int Expired, DateTimeOffset Cursor);

/// <summary>
/// Releases every reservation left open past its expiry. The state API has no query, so reserves
/// index each reservation into an expiry bucket document (<see cref="ExpiryBucket"/>, 10 s × shard)
/// in their own transaction, and the sweeper walks the buckets that have ended, from a shared
/// cursor, every <see cref="BillingOptions.SweepInterval"/> of the business clock.
/// </summary>
/// <remarks>
/// <para>Exactly once across replicas: every replica may sweep the same bucket at the same time;
/// each expiry is an ordinary transition (<see cref="ReservationService.ExpireAsync"/>) whose
/// transaction carries the reservation's ETag, so one wins and the others read its result.</para>
/// <para>Nothing held forever: a bucket stays under the cursor until it ended more than
/// <see cref="BillingOptions.SweepGrace"/> ago and all its reservations are terminal; the cursor
/// then moves past it in one transaction that also deletes the bucket's documents with the ETags
/// swept, so an id appended since makes the move fail and the bucket is swept again.</para>
/// </remarks>
internal sealed class ExpirySweeper(
    LedgerStore store,
    ReservationService reservations,
    IOptions<BillingOptions> options,
    [FromKeyedServices(BillingClock.Key)] TimeProvider clock,
    ILogger<ExpirySweeper> logger) : BackgroundService
{
    private const int ReadChunk = 100;
    private const int Parallelism = 4;

    private readonly BillingOptions _options = options.Value;

    // Shard documents whose every reservation was terminal, by key, with the ETag of that version:
    // while the ETag is unchanged there is nothing new to read.
    private readonly ConcurrentDictionary<string, string> _settled = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.SweepInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await SweepOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // A store outage must not stop the host: the next tick starts again from the cursor.
                BillingLog.SweepFailed(logger, e);
            }
        }
    }

    /// <summary>One pass over the buckets that have ended, from the cursor on.</summary>
    public async Task<SweepReport> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var width = ExpiryBuckets.Width;
        var cursor = await store.GetAsync<ExpiryCursor>(StateKeys.ExpiryCursor, cancellationToken).ConfigureAwait(false);
        if (cursor is null)
        {
            // Stored before anything else, so the start stays put: recomputed from the clock on
            // every pass, it would slide past buckets that have not been swept.
            var start = new ExpiryCursor(ExpiryBuckets.StartOf(now - _options.InitialSweepLookback), now);
            await store.TryCommitAsync([LedgerStore.Put(StateKeys.ExpiryCursor, start, null)], cancellationToken).ConfigureAwait(false);
            cursor = await store.GetAsync<ExpiryCursor>(StateKeys.ExpiryCursor, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The expiry cursor could not be created.");
        }

        var from = cursor.Value.Next;
        var next = from;
        var passable = true;
        var walked = 0;
        var expired = 0;
        List<StateTransactionOperation> deletions = [];
        for (var bucket = from; bucket + width <= now && walked < _options.MaxBucketsPerSweep; bucket += width, walked++)
        {
            var swept = await SweepBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
            expired += swept.Expired;
            passable &= swept.Settled && bucket + width + _options.SweepGrace <= now;
            if (passable)
            {
                next = bucket + width;
                deletions.AddRange(swept.Documents.Select(d => StateTransactionOperation.Delete(d.Key, d.ETag)));
            }
        }

        if (next > from)
        {
            var moved = await store.TryCommitAsync([LedgerStore.Put(StateKeys.ExpiryCursor, new ExpiryCursor(next, now), cursor.ETag), .. deletions], cancellationToken).ConfigureAwait(false);
            if (moved.IsWritten)
            {
                foreach (var deleted in deletions)
                {
                    _settled.TryRemove(deleted.Key, out _);
                }
            }
            else
            {
                // Another replica moved it first, or a bucket changed since it was read: the next
                // pass starts from whatever cursor is stored then.
                next = from;
            }
        }

        BillingLog.SweepPass(logger, walked, from, expired, next);
        return new SweepReport(walked, expired, next);
    }

    private async Task<(bool Settled, int Expired, IReadOnlyList<StateEntry<ExpiryBucket>> Documents)> SweepBucketAsync(DateTimeOffset bucket, CancellationToken cancellationToken)
    {
        var keys = Enumerable.Range(0, _options.ExpiryShards).Select(shard => StateKeys.ExpiryBucket(bucket, shard)).ToList();
        var snapshot = await store.ReadAsync(keys, cancellationToken).ConfigureAwait(false);
        var documents = keys.Select(snapshot.Get<ExpiryBucket>).OfType<StateEntry<ExpiryBucket>>().ToList();
        var settled = true;
        var expired = 0;
        foreach (var document in documents)
        {
            if (document.ETag is { } known && _settled.TryGetValue(document.Key, out var etag) && etag == known)
            {
                continue;
            }

            var (documentSettled, documentExpired) = await ExpireListedAsync(document, cancellationToken).ConfigureAwait(false);
            expired += documentExpired;
            if (documentSettled && document.ETag is not null)
            {
                _settled[document.Key] = document.ETag;
            }
            else
            {
                settled = false;
            }
        }

        return (settled, expired, documents);
    }

    private async Task<(bool Settled, int Expired)> ExpireListedAsync(StateEntry<ExpiryBucket> document, CancellationToken cancellationToken)
    {
        var open = 0;
        var expired = 0;
        foreach (var chunk in document.Value.Ids.Distinct(StringComparer.Ordinal).Chunk(ReadChunk))
        {
            var keys = chunk.Select(StateKeys.Reservation).ToList();
            var snapshot = await store.ReadAsync(keys, cancellationToken).ConfigureAwait(false);
            List<StateEntry<Reservation>> reserved = [];
            foreach (var (id, key) in chunk.Zip(keys))
            {
                if (snapshot.Get<Reservation>(key) is not { } reservation)
                {
                    // Cannot happen (the id is indexed in the transaction that creates the
                    // reservation); skipped rather than blocking the cursor forever.
                    BillingLog.IndexedReservationMissing(logger, document.Key, id);
                }
                else if (reservation.Value.Status == ReservationStatus.Reserved)
                {
                    reserved.Add(reservation);
                }
            }

            await Parallel.ForEachAsync(
                reserved,
                new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
                async (reservation, token) =>
                {
                    ResolveResult result;
                    try
                    {
                        result = await reservations.ExpireAsync(reservation, token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        BillingLog.ExpiryFailed(logger, reservation.Value.Id, e);
                        Interlocked.Increment(ref open);
                        return;
                    }

                    switch (result)
                    {
                        case ResolveResult.Expired:
                            Interlocked.Increment(ref expired);
                            break;
                        case ResolveResult.NotDue or ResolveResult.Contention:
                            BillingLog.ExpiryDeferred(logger, reservation.Value.Id);
                            Interlocked.Increment(ref open);
                            break;
                        case ResolveResult.Settled:
                            break;
                        default:
                            throw new UnreachableException($"An expiry cannot end in {result.GetType().Name}.");
                    }
                }).ConfigureAwait(false);
        }

        return (open == 0, expired);
    }
}
