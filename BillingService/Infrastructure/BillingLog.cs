using Microsoft.Extensions.Logging;

namespace Gateway.BillingService.Infrastructure;

internal static partial class BillingLog
{
    [LoggerMessage(1, LogLevel.Debug, "Billing {Operation} on account {AccountId}: transaction not confirmed at attempt {Attempt} ({Failure}); re-reading")]
    public static partial void WriteNotConfirmed(ILogger logger, string operation, string accountId, int attempt, string failure);

    [LoggerMessage(2, LogLevel.Warning, "Billing {Operation} on account {AccountId} gave up after {Attempts} unconfirmed transactions")]
    public static partial void ContentionExhausted(ILogger logger, string operation, string accountId, int attempts);

    [LoggerMessage(3, LogLevel.Information, "Reservation {ReservationId} on account {AccountId} expired; hold of {Amount} released")]
    public static partial void ReservationExpired(ILogger logger, string reservationId, string accountId, long amount);

    [LoggerMessage(4, LogLevel.Error, "Expiry sweep failed; the next pass starts over from the cursor")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(5, LogLevel.Debug, "Expiry sweep walked {Buckets} buckets from {From:o}, expired {Expired}, cursor now {Cursor:o}")]
    public static partial void SweepPass(ILogger logger, int buckets, DateTimeOffset from, int expired, DateTimeOffset cursor);

    [LoggerMessage(6, LogLevel.Warning, "Expiry bucket {BucketKey} lists reservation {ReservationId}, which does not exist")]
    public static partial void IndexedReservationMissing(ILogger logger, string bucketKey, string reservationId);

    [LoggerMessage(8, LogLevel.Warning, "Reservation {ReservationId} is still reserved after its expiry; the next sweep retries it")]
    public static partial void ExpiryDeferred(ILogger logger, string reservationId);

    [LoggerMessage(9, LogLevel.Error, "Expiring reservation {ReservationId} failed; the next sweep retries it")]
    public static partial void ExpiryFailed(ILogger logger, string reservationId, Exception exception);

    [LoggerMessage(10, LogLevel.Warning, "Reservation {ReservationId} on account {AccountId} finalized above what the account can pay: {Charged} charged, {Unpaid} recorded unpaid")]
    public static partial void ChargeUnpaid(ILogger logger, string reservationId, string accountId, long charged, long unpaid);

    [LoggerMessage(11, LogLevel.Information, "Credit limit of account {AccountId} set from {Previous} to {CreditLimit}")]
    public static partial void CreditLimitSet(ILogger logger, string accountId, long previous, long creditLimit);
}
