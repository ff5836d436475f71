using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.ProxyService.Model;

/// <summary>
/// Keys of the call ledger in the proxy's state (the sidecar prefixes them with the app id).
/// Caller-supplied values (idempotency keys, task ids) are hashed: they may hold characters a key
/// cannot, and their length is not ours to choose.
/// </summary>
internal static class StateKeys
{
    /// <summary>The pending-settlement index is spread over this many documents, so that calls ending together rarely contend.</summary>
    public const int PendingShards = 8;

    public static string Call(string callId) => "call|" + callId;

    /// <summary>The claim of an idempotency key: scoped by provider and account, so two callers never share a key by accident.</summary>
    public static string Claim(string provider, string? accountId, string idempotencyKey) =>
        "idem|" + Hash(provider.ToLowerInvariant(), accountId ?? "", idempotencyKey);

    public static string Task(string provider, string taskId) => "task|" + provider.ToLowerInvariant() + "|" + Hash(taskId);

    public static string PendingShard(int shard) => "settle-pending|" + shard.ToString(CultureInfo.InvariantCulture);

    public static int ShardOf(string callId) => (int)(BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(callId)), 0) % PendingShards);

    /// <summary>SHA-256 over the parts separated by a newline, lowercase hex.</summary>
    public static string Hash(params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts))));
}
