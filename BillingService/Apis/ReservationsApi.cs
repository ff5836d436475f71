using System.Diagnostics;
using Gateway.BillingService.Infrastructure;
using Gateway.BillingService.Model;
using Gateway.BillingService.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Gateway.ServiceDefaults.Http;
using Gateway.ServiceDefaults.Security;
using Microsoft.Net.Http.Headers;

namespace Gateway.BillingService.Apis;

/// <summary>
/// <c>/reservations</c>: reserve, read, finalize, release. Reached directly or through Dapr
/// invocation (<c>/v1.0/invoke/billing/method/reservations...</c>). Reserve, finalize and release
/// are the paying callers' (ProxyService's) and need no operator token; reading a reservation is an
/// operator endpoint (<see cref="OperatorAccess"/>).
/// </summary>
internal static class ReservationsApi
{
    /// <summary>Set to <c>true</c> on an answer that replays an earlier request's idempotency key.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    public static IEndpointRouteBuilder MapReservationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/reservations").AnswerStoreUnavailableWith(BillingProblems.StoreUnavailable);
        api.MapPost("/", ReserveAsync);
        api.MapGet("/{reservationId}", GetReservationAsync).RequireOperatorToken().AllowWithoutAppApiToken();
        api.MapPost("/{reservationId}/finalize", FinalizeAsync);
        api.MapPost("/{reservationId}/release", ReleaseAsync);
        return app;
    }

    /// <summary>
    /// 201 with the reservation (also for a replay of the same idempotency key, with
    /// <c>Idempotent-Replayed: true</c> and the reservation as it is now); 400 invalid or unknown
    /// account; 402 insufficient funds; 409 idempotency key used with another request; 503 retry.
    /// </summary>
    public static async Task<Results<Created<ReservationView>, ValidationProblem, ProblemHttpResult>> ReserveAsync(
        HttpContext context,
        ReservationService reservations,
        IOptions<BillingOptions> options)
    {
        ArgumentNullException.ThrowIfNull(context);
        var read = await BillingRequestBody.ReadAsync<ReserveRequest>(context);
        if (!read.TryGetValue(out var body, out var refusal))
        {
            return BillingProblems.Invalid(refusal.ToErrors());
        }

        if (!BillingValidation.TryReserve(body, options.Value, out var command, out var errors))
        {
            return BillingProblems.Invalid(errors);
        }

        var result = await reservations.ReserveAsync(command, context.RequestAborted);
        switch (result)
        {
            case ReserveResult.Created created:
                return Created(ReservationView.From(created.Reservation));
            case ReserveResult.Replayed replayed:
                context.Response.Headers[ReplayedHeader] = "true";
                return Created(ReservationView.From(replayed.Reservation));
            case ReserveResult.IdempotencyConflict:
                return BillingProblems.IdempotencyConflict();
            case ReserveResult.UnknownAccount:
                return BillingProblems.UnknownAccount(command.AccountId);
            case ReserveResult.InsufficientFunds insufficient:
                return BillingProblems.InsufficientFunds(insufficient.Available, command.Amount);
            case ReserveResult.Contention:
                context.Response.Headers[HeaderNames.RetryAfter] = "1";
                return BillingProblems.Contention();
            default:
                throw new UnreachableException($"A reserve cannot end in {result}.");
        }

        static Created<ReservationView> Created(ReservationView view) => TypedResults.Created($"/reservations/{view.ReservationId}", view);
    }

    /// <summary>200 with the reservation; 400 malformed id; 404 unknown.</summary>
    public static async Task<Results<Ok<ReservationView>, ValidationProblem, ProblemHttpResult>> GetReservationAsync(
        string reservationId,
        ReservationService reservations,
        CancellationToken cancellationToken)
    {
        if (!BillingValidation.TryId("reservationId", reservationId, out var errors))
        {
            return BillingProblems.Invalid(errors);
        }

        return await reservations.GetAsync(reservationId, cancellationToken) is { } reservation
            ? TypedResults.Ok(ReservationView.From(reservation))
            : BillingProblems.NotFound($"Reservation '{reservationId}'");
    }

    /// <summary>
    /// Charges <c>amount</c> (0 releases). 200 with the outcome, also when repeated with the same
    /// outcome; 409 <c>reservation-conflict</c> with the winning outcome; 409
    /// <c>reservation-expired</c>; 422 fixed amount mismatch; 404 unknown; 503 retry.
    /// </summary>
    public static async Task<Results<Ok<ReservationView>, ValidationProblem, ProblemHttpResult>> FinalizeAsync(
        string reservationId,
        HttpContext context,
        ReservationService reservations)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!BillingValidation.TryId("reservationId", reservationId, out var idErrors))
        {
            return BillingProblems.Invalid(idErrors);
        }

        var read = await BillingRequestBody.ReadAsync<FinalizeRequest>(context);
        if (!read.TryGetValue(out var body, out var refusal))
        {
            return BillingProblems.Invalid(refusal.ToErrors());
        }

        if (!BillingValidation.TryFinalize(body, out var command, out var errors))
        {
            return BillingProblems.Invalid(errors);
        }

        return ToResponse(context, await reservations.ResolveAsync(reservationId, command, context.RequestAborted), reservationId);
    }

    /// <summary>Finalize with 0: the same answers, the status <c>released</c>.</summary>
    public static async Task<Results<Ok<ReservationView>, ValidationProblem, ProblemHttpResult>> ReleaseAsync(
        string reservationId,
        HttpContext context,
        ReservationService reservations)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!BillingValidation.TryId("reservationId", reservationId, out var idErrors))
        {
            return BillingProblems.Invalid(idErrors);
        }

        var read = await BillingRequestBody.ReadAsync<ReleaseRequest>(context);
        if (!read.TryGetValue(out var body, out var refusal))
        {
            return BillingProblems.Invalid(refusal.ToErrors());
        }

        if (!BillingValidation.TryRelease(body, out var command, out var errors))
        {
            return BillingProblems.Invalid(errors);
        }

        return ToResponse(context, await reservations.ResolveAsync(reservationId, command, context.RequestAborted), reservationId);
    }

    private static Results<Ok<ReservationView>, ValidationProblem, ProblemHttpResult> ToResponse(HttpContext context, ResolveResult result, string reservationId)
    {
        switch (result)
        {
            case ResolveResult.Resolved resolved:
                return TypedResults.Ok(ReservationView.From(resolved.Reservation));
            case ResolveResult.Repeated repeated:
                return TypedResults.Ok(ReservationView.From(repeated.Reservation));
            case ResolveResult.Conflict conflict:
                return BillingProblems.ReservationConflict(ReservationView.From(conflict.Winner));
            case ResolveResult.Expired expired:
                return BillingProblems.ReservationExpired(ReservationView.From(expired.Reservation));
            case ResolveResult.AlreadyExpired expired:
                return BillingProblems.ReservationExpired(ReservationView.From(expired.Reservation));
            case ResolveResult.AmountMismatch mismatch:
                return BillingProblems.FixedAmountMismatch(ReservationView.From(mismatch.Reservation));
            case ResolveResult.LimitExceeded:
                return BillingProblems.LimitExceeded();
            case ResolveResult.NotFound:
                return BillingProblems.NotFound($"Reservation '{reservationId}'");
            case ResolveResult.Contention:
                context.Response.Headers[HeaderNames.RetryAfter] = "1";
                return BillingProblems.Contention();
            default:
                throw new UnreachableException($"A finalize or release cannot end in {result.GetType().Name}.");
        }
    }
}
