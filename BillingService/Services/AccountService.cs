using System.Diagnostics;
using Gateway.BillingService.Infrastructure;
using Gateway.BillingService.Model;
using Gateway.ServiceDefaults.Dapr;
using Microsoft.Extensions.Options;

namespace Gateway.BillingService.Services;

/// <summary>The answer to a credit.</summary>
internal abstract record CreditResult
{
    private CreditResult()
    {
    }

    /// <summary>This request credited the account (its own earlier attempt included): <paramref name="Credit"/> (200).</summary>
    public sealed record Credited(CreditIdempotency Credit) : CreditResult;

    /// <summary>A replay of the idempotency key: the first request's <paramref name="Credit"/> (200, <c>Idempotent-Replayed</c>).</summary>
    public sealed record Replayed(CreditIdempotency Credit) : CreditResult;

    /// <summary>The key was used with another amount (409).</summary>
    public sealed record IdempotencyConflict : CreditResult;

    /// <summary>The credit would take the account past the limit (422).</summary>
    public sealed record LimitExceeded : CreditResult;

    /// <summary>Every attempt's transaction went unconfirmed and none of them landed (503).</summary>
    public sealed record Contention : CreditResult;
}

/// <summary>A page of an account's ledger, or null <see cref="Account"/> when the account does not exist.</summary>
internal sealed record EntriesResult(Account? Account, IReadOnlyList<LedgerEntry> Entries, long? NextFrom);

/// <summary>Credits, credit limits, account reads and the ledger's entries (see <see cref="ReservationService"/> for how writes are made).</summary>
internal sealed class AccountService(
    LedgerStore store,
    LedgerLanes lanes,
    BillingTelemetry telemetry,
    IOptions<BillingOptions> options,
    [FromKeyedServices(BillingClock.Key)] TimeProvider clock,
    ILogger<AccountService> logger)
{
    private const string CreditOperation = "credit";
    private const string CreditLimitOperation = "credit_limit";

    /// <summary>The largest page <see cref="GetEntriesAsync"/> serves.</summary>
    public const int MaxPageSize = 500;

    private readonly BillingOptions _options = options.Value;

    public async Task<Account?> GetAsync(string accountId, CancellationToken cancellationToken) =>
        (await store.GetAsync<Account>(StateKeys.Account(accountId), cancellationToken).ConfigureAwait(false))?.Value;

    public async Task<CreditResult> CreditAsync(CreditCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        using var activity = BillingTelemetry.StartActivity(CreditOperation);
        activity?.SetTag(BillingTelemetry.AccountTag, command.AccountId).SetTag(BillingTelemetry.AmountTag, command.Amount);
        var accountKey = StateKeys.Account(command.AccountId);
        var idempotencyKey = StateKeys.CreditIdempotency(command.AccountId, command.IdempotencyKeyHash);
        CreditIdempotency? attempted = null;

        using var lane = await lanes.EnterAsync(command.AccountId, cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var snapshot = await store.ReadAsync([accountKey, idempotencyKey], cancellationToken).ConfigureAwait(false);
            var account = snapshot.Get<Account>(accountKey);
            var existing = snapshot.Get<CreditIdempotency>(idempotencyKey);
            var decision = ReservationLedger.Credit(account?.Value, existing?.Value, command, clock.GetUtcNow());
            CreditDecision.Credited credited;
            switch (decision)
            {
                case CreditDecision.Credited c:
                    credited = c;
                    break;

                // The record of an earlier attempt whose answer was lost is this request's own credit.
                case CreditDecision.Replayed replayed when replayed.Result == attempted:
                    return Finish(activity, new CreditResult.Credited(replayed.Result));
                case CreditDecision.Replayed replayed:
                    return Finish(activity, new CreditResult.Replayed(replayed.Result));
                case CreditDecision.IdempotencyConflict:
                    return Finish(activity, new CreditResult.IdempotencyConflict());
                case CreditDecision.LimitExceeded:
                    return Finish(activity, new CreditResult.LimitExceeded());
                default:
                    throw new UnreachableException($"A credit cannot be decided as {decision}.");
            }

            if (attempt > _options.MaxWriteAttempts)
            {
                BillingLog.ContentionExhausted(logger, CreditOperation, command.AccountId, _options.MaxWriteAttempts);
                return Finish(activity, new CreditResult.Contention());
            }

            attempted = credited.Result;
            List<StateTransactionOperation> operations =
            [
                LedgerStore.Put(accountKey, credited.Write.Account, account?.ETag),
                LedgerStore.Put(idempotencyKey, credited.Result, null),
                .. credited.Write.Entries.Select(e => LedgerStore.Put(StateKeys.Entry(e.AccountId, e.Seq), e, null)),
            ];
            var result = await store.TryCommitAsync(operations, cancellationToken).ConfigureAwait(false);
            if (result.IsWritten)
            {
                return Finish(activity, new CreditResult.Credited(credited.Result));
            }

            BillingLog.WriteNotConfirmed(logger, CreditOperation, command.AccountId, attempt, result.Failure.ToString());
            await ContentionBackoff.DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sets the account's credit limit (see <see cref="ReservationLedger.SetCreditLimit"/>).</summary>
    public async Task<CreditLimitResult> SetCreditLimitAsync(CreditLimitCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        using var activity = BillingTelemetry.StartActivity(CreditLimitOperation);
        activity?.SetTag(BillingTelemetry.AccountTag, command.AccountId).SetTag(BillingTelemetry.AmountTag, command.CreditLimit);
        var accountKey = StateKeys.Account(command.AccountId);

        using var lane = await lanes.EnterAsync(command.AccountId, cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var account = await store.GetAsync<Account>(accountKey, cancellationToken).ConfigureAwait(false);
            var decision = ReservationLedger.SetCreditLimit(account?.Value, command, clock.GetUtcNow());
            switch (decision)
            {
                case CreditLimitDecision.Unchanged unchanged:
                    // Also the answer after an unconfirmed transaction that did land.
                    return new CreditLimitResult.Set(unchanged.Account);
                case CreditLimitDecision.InUse inUse:
                    return new CreditLimitResult.InUse(inUse.Minimum);
                case CreditLimitDecision.Changed changed:
                    if (attempt > _options.MaxWriteAttempts)
                    {
                        BillingLog.ContentionExhausted(logger, CreditLimitOperation, command.AccountId, _options.MaxWriteAttempts);
                        return new CreditLimitResult.Contention();
                    }

                    var result = await store.TryCommitAsync([LedgerStore.Put(accountKey, changed.Account, account?.ETag)], cancellationToken).ConfigureAwait(false);
                    if (result.IsWritten)
                    {
                        BillingLog.CreditLimitSet(logger, command.AccountId, changed.Previous, command.CreditLimit);
                        return new CreditLimitResult.Set(changed.Account);
                    }

                    BillingLog.WriteNotConfirmed(logger, CreditLimitOperation, command.AccountId, attempt, result.Failure.ToString());
                    await ContentionBackoff.DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    throw new UnreachableException($"A credit limit cannot end in {decision}.");
            }
        }
    }

    /// <summary>
    /// Entries <paramref name="from"/> onwards, at most <paramref name="limit"/>, oldest first. The
    /// account is read first: every entry below its <see cref="Account.NextEntrySeq"/> was written
    /// in the same transaction as the account version that counts it, so all of them exist.
    /// </summary>
    public async Task<EntriesResult> GetEntriesAsync(string accountId, long from, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(from, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxPageSize);
        var account = await GetAsync(accountId, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return new EntriesResult(null, [], null);
        }

        var end = Math.Min(account.NextEntrySeq, from + limit);
        if (from >= end)
        {
            return new EntriesResult(account, [], null);
        }

        var keys = new List<string>((int)(end - from));
        for (var seq = from; seq < end; seq++)
        {
            keys.Add(StateKeys.Entry(accountId, seq));
        }

        var snapshot = await store.ReadAsync(keys, cancellationToken).ConfigureAwait(false);
        var entries = keys
            .Select(k => snapshot.Get<LedgerEntry>(k)?.Value ?? throw new InvalidOperationException($"Ledger entry '{k}' is missing below the account's next sequence number."))
            .ToList();
        return new EntriesResult(account, entries, end < account.NextEntrySeq ? end : null);
    }

    private CreditResult Finish(Activity? activity, CreditResult result)
    {
        if (result is CreditResult.Credited credited)
        {
            telemetry.RecordAmount("credited", credited.Credit.Amount);
        }

        activity?.SetTag(BillingTelemetry.OutcomeTag, result switch
        {
            CreditResult.Credited => "credited",
            CreditResult.Replayed => "replayed",
            CreditResult.IdempotencyConflict => "idempotency_conflict",
            CreditResult.LimitExceeded => "limit_exceeded",
            CreditResult.Contention => "contention",
            _ => throw new UnreachableException($"A credit cannot end in {result}."),
        });
        return result;
    }
}
