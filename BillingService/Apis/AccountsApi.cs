using System.Diagnostics;
using System.Globalization;
using Gateway.BillingService.Services;
using Gateway.ServiceDefaults.Http;
using Gateway.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Gateway.BillingService.Apis;

/// <summary>
/// <c>/accounts/{accountId}</c>: read, credit, credit limit, and the ledger's entries. Operator
/// endpoints, every one: <see cref="OperatorAccess"/> answers first (401 without the operator
/// token, 404 when none is configured). The operator token is their guard, so they are also
/// reachable without the sidecar's app API token.
/// </summary>
internal static class AccountsApi
{
    private const int DefaultPageSize = 100;

    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/accounts/{accountId}")
            .RequireOperatorToken()
            .AnswerStoreUnavailableWith(BillingProblems.StoreUnavailable)
            .AllowWithoutAppApiToken();
        api.MapGet("/", GetAccountAsync);
        api.MapPost("/credits", CreditAsync);
        api.MapPut("/credit-limit", SetCreditLimitAsync);
        api.MapGet("/entries", GetEntriesAsync);
        return app;
    }

    /// <summary>200 with balance, held, available, credit limit and unpaid; 400 malformed id; 404 unknown.</summary>
    public static async Task<Results<Ok<AccountView>, ValidationProblem, ProblemHttpResult>> GetAccountAsync(
        string accountId,
        AccountService accounts,
        CancellationToken cancellationToken)
    {
        if (!BillingValidation.TryId("accountId", accountId, out var errors))
        {
            return BillingProblems.Invalid(errors);
        }

        return await accounts.GetAsync(accountId, cancellationToken) is { } account
            ? TypedResults.Ok(AccountView.From(account))
            : BillingProblems.NotFound($"Account '{accountId}'");
    }

    /// <summary>
    /// Credits the account (created by its first credit). 200 with the credit, the same answer for
    /// every replay of the idempotency key (plus <c>Idempotent-Replayed: true</c>); 409 when the key
    /// was used with another amount; 422 past the account limit; 503 retry.
    /// </summary>
    public static async Task<Results<Ok<CreditView>, ValidationProblem, ProblemHttpResult>> CreditAsync(
        string accountId,
        HttpContext context,
        AccountService accounts)
    {
        ArgumentNullException.ThrowIfNull(context);
        var read = await BillingRequestBody.ReadAsync<CreditRequest>(context);
        if (!read.TryGetValue(out var body, out var refusal))
        {
            return BillingProblems.Invalid(refusal.ToErrors());
        }

        if (!BillingValidation.TryCredit(accountId, body, out var command, out var errors))
        {
            return BillingProblems.Invalid(errors);
        }

        var result = await accounts.CreditAsync(command, context.RequestAborted);
        switch (result)
        {
            case CreditResult.Credited credited:
                return TypedResults.Ok(CreditView.From(accountId, credited.Credit));
            case CreditResult.Replayed replayed:
                context.Response.Headers[ReservationsApi.ReplayedHeader] = "true";
                return TypedResults.Ok(CreditView.From(accountId, replayed.Credit));
            case CreditResult.IdempotencyConflict:
                return BillingProblems.IdempotencyConflict();
            case CreditResult.LimitExceeded:
                return BillingProblems.LimitExceeded();
            case CreditResult.Contention:
                context.Response.Headers[HeaderNames.RetryAfter] = "1";
                return BillingProblems.Contention();
            default:
                throw new UnreachableException($"A credit cannot end in {result}.");
        }
    }

    /// <summary>
    /// Sets how far below zero the balance may go (<c>{"creditLimit": 5000}</c>, 0 for not at all),
    /// opening the account when it does not exist. 200 with the account; 409
    /// <c>credit-limit-in-use</c> when its holds and balance need more (<c>minimum</c>); 503 retry.
    /// </summary>
    public static async Task<Results<Ok<AccountView>, ValidationProblem, ProblemHttpResult>> SetCreditLimitAsync(
        string accountId,
        HttpContext context,
        AccountService accounts)
    {
        ArgumentNullException.ThrowIfNull(context);
        var read = await BillingRequestBody.ReadAsync<CreditLimitRequest>(context);
        if (!read.TryGetValue(out var body, out var refusal))
        {
            return BillingProblems.Invalid(refusal.ToErrors());
        }

        if (!BillingValidation.TryCreditLimit(accountId, body, out var command, out var errors))
        {
            return BillingProblems.Invalid(errors);
        }

        switch (await accounts.SetCreditLimitAsync(command, context.RequestAborted))
        {
            case CreditLimitResult.Set set:
                return TypedResults.Ok(AccountView.From(set.Account));
            case CreditLimitResult.InUse inUse:
                return BillingProblems.CreditLimitInUse(inUse.Minimum);
            case CreditLimitResult.Contention:
                context.Response.Headers[HeaderNames.RetryAfter] = "1";
                return BillingProblems.Contention();
            case var other:
                throw new UnreachableException($"A credit limit cannot end in {other}.");
        }
    }

    /// <summary>
    /// <c>?from=1&amp;limit=100</c>: entries from sequence number <c>from</c> (default 1), at most
    /// <c>limit</c> (default 100, at most 500), oldest first; <c>nextFrom</c> continues.
    /// </summary>
    public static async Task<Results<Ok<EntriesPage>, ValidationProblem, ProblemHttpResult>> GetEntriesAsync(
        string accountId,
        string? from,
        string? limit,
        AccountService accounts,
        CancellationToken cancellationToken)
    {
        BillingValidation.TryId("accountId", accountId, out var errors);
        var first = 1L;
        if (from is not null && (!long.TryParse(from, NumberStyles.None, CultureInfo.InvariantCulture, out first) || first < 1))
        {
            errors["from"] = ["must be a whole number from 1"];
        }

        var size = DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > AccountService.MaxPageSize))
        {
            errors["limit"] = [$"must be a whole number between 1 and {AccountService.MaxPageSize}"];
        }

        if (errors.Count > 0)
        {
            return BillingProblems.Invalid(errors);
        }

        var page = await accounts.GetEntriesAsync(accountId, first, size, cancellationToken);
        return page.Account is null
            ? BillingProblems.NotFound($"Account '{accountId}'")
            : TypedResults.Ok(new EntriesPage(accountId, [.. page.Entries.Select(EntryView.From)], page.NextFrom));
    }
}
