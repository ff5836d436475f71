using Gateway.ServiceDefaults;
using Gateway.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.BillingService.Apis;

/// <summary>
/// The problem details (RFC 9457) BillingService answers with. <c>type</c> is stable and clients
/// branch on it; every body also carries a snake_case <c>code</c> extension with the same meaning.
/// </summary>
internal static class BillingProblems
{
    private const string Prefix = "urn:gateway:problem:billing:";

    /// <summary>402: the account's available funds (balance − held) are below the amount. Extensions: <c>available</c>, <c>requested</c>.</summary>
    public const string InsufficientFundsType = Prefix + "insufficient-funds";

    /// <summary>409: the idempotency key was used with a different request.</summary>
    public const string IdempotencyConflictType = Prefix + "idempotency-conflict";

    /// <summary>409: the reservation was already resolved with another outcome. Extension <c>reservation</c>: the winning outcome.</summary>
    public const string ReservationConflictType = Prefix + "reservation-conflict";

    /// <summary>409: the reservation expired (its hold is released). Extension <c>reservation</c>.</summary>
    public const string ReservationExpiredType = Prefix + "reservation-expired";

    /// <summary>400: the account does not exist (reservations need a credited account).</summary>
    public const string UnknownAccountType = Prefix + "unknown-account";

    /// <summary>422: a <c>fixed</c> reservation finalized with an amount other than its own (or 0). Extension <c>reservation</c>.</summary>
    public const string FixedAmountMismatchType = Prefix + "fixed-amount-mismatch";

    /// <summary>422: the change would take an account figure past 10^18 minor units.</summary>
    public const string LimitExceededType = Prefix + "limit-exceeded";

    /// <summary>503: concurrent writers kept winning; retry (with <c>Retry-After</c>). Nothing was changed by this request.</summary>
    public const string ContentionType = Prefix + "contention";

    /// <summary>401: an operator endpoint without <c>Authorization: Bearer {Billing:OperatorToken}</c> (with <c>WWW-Authenticate: Bearer</c>).</summary>
    public const string OperatorUnauthorizedType = Prefix + "operator-unauthorized";

    /// <summary>409: the credit limit asked is below what the account uses (its holds, and any balance below zero). Extension <c>minimum</c>: the lowest limit accepted now.</summary>
    public const string CreditLimitInUseType = Prefix + "credit-limit-in-use";

    /// <summary>503: the state store could not be read; retry (with <c>Retry-After</c>).</summary>
    public const string StoreUnavailableType = Prefix + "store-unavailable";

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors) => ProblemResults.Invalid(errors);

    public static ProblemHttpResult NotFound(string what) =>
        ProblemResults.Problem(StatusCodes.Status404NotFound, ProblemTypes.NotFound, "not_found", "Not found", $"{what} does not exist.");

    public static ProblemHttpResult UnknownAccount(string accountId) =>
        ProblemResults.Problem(StatusCodes.Status400BadRequest, UnknownAccountType, "unknown_account", "Unknown account", $"Account '{accountId}' does not exist; credit it first. Nothing was written.");

    public static ProblemHttpResult InsufficientFunds(long available, long requested) =>
        ProblemResults.Problem(StatusCodes.Status402PaymentRequired, InsufficientFundsType, "insufficient_funds", "Insufficient funds", "The account's available funds are below the amount to reserve.", ("available", available), ("requested", requested));

    public static ProblemHttpResult IdempotencyConflict() =>
        ProblemResults.Problem(StatusCodes.Status409Conflict, IdempotencyConflictType, "idempotency_conflict", "Idempotency key reused", "This idempotency key was already used with a different request.");

    public static ProblemHttpResult ReservationConflict(ReservationView winner) =>
        ProblemResults.Problem(StatusCodes.Status409Conflict, ReservationConflictType, "reservation_conflict", "Reservation already resolved", $"The reservation was already {Name(winner)}; the winning outcome is in 'reservation'.", ("reservation", winner));

    public static ProblemHttpResult ReservationExpired(ReservationView reservation) =>
        ProblemResults.Problem(StatusCodes.Status409Conflict, ReservationExpiredType, "reservation_expired", "Reservation expired", "The reservation expired before it was resolved; its hold is released and nothing was charged.", ("reservation", reservation));

    public static ProblemHttpResult FixedAmountMismatch(ReservationView reservation) =>
        ProblemResults.Problem(StatusCodes.Status422UnprocessableEntity, FixedAmountMismatchType, "fixed_amount_mismatch", "Amount does not match", "A fixed reservation is finalized with exactly its amount, or released with 0.", ("reservation", reservation));

    public static ProblemHttpResult LimitExceeded() =>
        ProblemResults.Problem(StatusCodes.Status422UnprocessableEntity, LimitExceededType, "limit_exceeded", "Account limit exceeded", "The change would take an account figure past 10^18 minor units.");

    public static ProblemHttpResult OperatorUnauthorized() =>
        ProblemResults.Problem(StatusCodes.Status401Unauthorized, OperatorUnauthorizedType, "operator_unauthorized", "Unauthorized", "This operator endpoint needs Authorization: Bearer <Billing:OperatorToken>. Nothing was read or written.");

    public static ProblemHttpResult CreditLimitInUse(long minimum) =>
        ProblemResults.Problem(StatusCodes.Status409Conflict, CreditLimitInUseType, "credit_limit_in_use", "Credit limit in use", "The account's holds and balance need a credit limit of at least 'minimum'; nothing was changed.", ("minimum", minimum));

    public static ProblemHttpResult Contention() =>
        ProblemResults.Problem(StatusCodes.Status503ServiceUnavailable, ContentionType, "contention", "Too much contention", "Concurrent writers kept winning; nothing was changed by this request. Retry.");

    public static ProblemHttpResult StoreUnavailable() =>
        ProblemResults.Problem(StatusCodes.Status503ServiceUnavailable, StoreUnavailableType, "store_unavailable", "State store unavailable", "The state store could not be reached. Retry.");

    private static string Name(ReservationView reservation) => reservation.Status.ToString().ToLowerInvariant();
}
