using System.Globalization;

namespace Gateway.BillingService.Model;

/// <summary>
/// The keys of BillingService's state documents (the sidecar prefixes them with the app id).
/// Ids in keys are validated (<see cref="Services.BillingValidation"/>) to contain neither
/// <c>|</c> nor <c>/</c>, so every key splits back unambiguously; caller-chosen idempotency keys
/// appear only hashed.
/// </summary>
internal static class StateKeys
{
    public const string ExpiryCursor = "expiry|cursor";

    public static string Account(string accountId) => "account|" + accountId;

    public static string Reservation(string reservationId) => "reservation|" + reservationId;

    public static string Entry(string accountId, long seq) =>
        string.Create(CultureInfo.InvariantCulture, $"entry|{accountId}|{seq:D12}");

    public static string ReserveIdempotency(string accountId, string keyHash) => $"idem|reserve|{accountId}|{keyHash}";

    public static string CreditIdempotency(string accountId, string keyHash) => $"idem|credit|{accountId}|{keyHash}";

    public static string ExpiryBucket(DateTimeOffset bucketStart, int shard) =>
        string.Create(CultureInfo.InvariantCulture, $"expiry|{bucketStart.UtcDateTime:yyyyMMddHHmmss}|{shard:D3}");
}
