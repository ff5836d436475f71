using Gateway.BillingService.Model;
using Microsoft.Extensions.Options;

namespace Gateway.BillingService.Infrastructure;

/// <summary>
/// In-process serialisation of the writes of each group of accounts: one lane per expiry shard,
/// an account always on the lane of its shard. Correctness never depends on it (ETags decide
/// between replicas); it only stops one replica from racing itself on a hot account or shard,
/// where optimistic writers would mostly lose to each other and retry.
/// </summary>
internal sealed class LedgerLanes : IDisposable
{
    private readonly SemaphoreSlim[] _lanes;

    public LedgerLanes(IOptions<BillingOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _lanes = [.. Enumerable.Range(0, options.Value.ExpiryShards).Select(_ => new SemaphoreSlim(1, 1))];
    }

    /// <summary>Waits for the lane of <paramref name="accountId"/>; dispose the answer to leave it.</summary>
    public async Task<Lane> EnterAsync(string accountId, CancellationToken cancellationToken)
    {
        var lane = _lanes[ExpiryBuckets.ShardOf(accountId, _lanes.Length)];
        await lane.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Lane(lane);
    }

    public void Dispose()
    {
        foreach (var lane in _lanes)
        {
            lane.Dispose();
        }
    }

    internal readonly struct Lane(SemaphoreSlim lane) : IDisposable
    {
        public void Dispose() => lane.Release();
    }
}
