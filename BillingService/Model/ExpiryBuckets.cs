using System.Security.Cryptography;
using System.Text;

namespace Gateway.BillingService.Model;

/// <summary>Where a reservation is indexed for expiry: its bucket in time and its shard.</summary>
internal static class ExpiryBuckets
{
    /// <summary>
    /// The time span of one bucket. Fixed, not an option: the sweeper walks bucket starts, so
    /// changing it would hide the buckets already written.
    /// </summary>
    public static readonly TimeSpan Width = TimeSpan.FromSeconds(10);

    /// <summary>The start of the bucket holding <paramref name="instant"/>.</summary>
    public static DateTimeOffset StartOf(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        return new DateTimeOffset(utc.UtcTicks - (utc.UtcTicks % Width.Ticks), TimeSpan.Zero);
    }

    /// <summary>
    /// The shard (and the in-process lane, see <see cref="Infrastructure.LedgerLanes"/>) of an
    /// account: a hash that is stable across processes, unlike <see cref="string.GetHashCode()"/>.
    /// </summary>
    public static int ShardOf(string accountId, int shards)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(accountId), hash);
        return (int)(BitConverter.ToUInt32(hash) % (uint)shards);
    }
}
