using System.Diagnostics;
using Gateway.BillingService.Infrastructure;
using Gateway.BillingService.Model;
using Gateway.ServiceDefaults.Dapr;
using Microsoft.Extensions.Options;

namespace Gateway.BillingService.Services;

/// <summary>The answer to a reserve.</summary>
internal abstract record ReserveResult
{
    private ReserveResult()
    {
    }

    /// <summary>This request created <paramref name="Reservation"/> (201).</summary>
    public sealed record Created(Reservation Reservation) : ReserveResult;

    /// <summary>A replay of the idempotency key: the reservation it created, as it is now (201, <c>Idempotent-Replayed</c>).</summary>
    public sealed record Replayed(Reservation Reservation) : ReserveResult;

    /// <summary>The key was used with another request (409).</summary>
    public sealed record IdempotencyConflict : ReserveResult;

    /// <summary>No such account (400).</summary>
    public sealed record UnknownAccount : ReserveResult;

    /// <summary>The account's available funds, <paramref name="Available"/>, are below the amount (402).</summary>
    public sealed record InsufficientFunds(long Available) : ReserveResult;

    /// <summary>Every attempt's transaction went unconfirmed and none of them landed (503).</summary>
    public sealed record Contention : ReserveResult;
}

/// <summary>
/// The answer to a finalize, release or expiry, with the reservation as this request left it or
/// found it. Only <see cref="Resolved"/> and <see cref="Expired"/> mean that this request's
/// transaction is the one that resolved it.
/// </summary>
internal abstract record ResolveResult
{
    private ResolveResult()
    {
    }

    /// <summary>This request finalized or released <paramref name="Reservation"/> (200).</summary>
    public sealed record Resolved(Reservation Reservation) : ResolveResult;

    /// <summary>This request found <paramref name="Reservation"/> due and expired it (409 <c>reservation_expired</c>; the sweeper's success).</summary>
    public sealed record Expired(Reservation Reservation) : ResolveResult;

    /// <summary>Already resolved with exactly the outcome asked for (200, the same body).</summary>
    public sealed record Repeated(Reservation Reservation) : ResolveResult;

    /// <summary>Already resolved with another outcome, <paramref name="Winner"/> (409).</summary>
    public sealed record Conflict(Reservation Winner) : ResolveResult;

    /// <summary>Expired before this request (409 <c>reservation_expired</c>).</summary>
    public sealed record AlreadyExpired(Reservation Reservation) : ResolveResult;

    /// <summary>A fixed reservation finalized with another amount than its hold (422); nothing changed.</summary>
    public sealed record AmountMismatch(Reservation Reservation) : ResolveResult;

    /// <summary>The charge would take the account's figures past <see cref="LedgerLimits.MaxTotal"/> (422); nothing changed.</summary>
    public sealed record LimitExceeded : ResolveResult;

    /// <summary>Sweeper only: <paramref name="Reservation"/> is not expired yet.</summary>
    public sealed record NotDue(Reservation Reservation) : ResolveResult;

    /// <summary>Sweeper only: already terminal, nothing to do.</summary>
    public sealed record Settled(Reservation Reservation) : ResolveResult;

    /// <summary>No such reservation (404).</summary>
    public sealed record NotFound : ResolveResult;

    /// <summary>Every attempt's transaction went unconfirmed (503); <paramref name="Reservation"/>, as last read, is still open.</summary>
    public sealed record Contention(Reservation Reservation) : ResolveResult;
}

/// <summary>
/// Reserve, finalize, release and expire over the state store: read with ETags, decide with
/// <see cref="ReservationLedger"/>, write everything the decision changes in one transaction
/// carrying the ETags read (first-write for new keys). A transaction that is not confirmed is
/// never assumed lost or applied: the documents are read again and the decision is taken again,
/// which either finds the state that won (this request's own write included, recognised by the
/// reservation id or resolution id it chose) or tries again, at most
/// <see cref="BillingOptions.MaxWriteAttempts"/> times.
/// </summary>
internal sealed class ReservationService(
    LedgerStore store,
    LedgerLanes lanes,
    BillingTelemetry telemetry,
    IOptions<BillingOptions> options,
    [FromKeyedServices(BillingClock.Key)] TimeProvider clock,
    ILogger<ReservationService> logger)
{
    private const string ReserveOperation = "reserve";
    private const string FinalizeOperation = "finalize";
    private const string ReleaseOperation = "release";
    private const string ExpireOperation = "expire";

    private readonly BillingOptions _options = options.Value;

    public async Task<Reservation?> GetAsync(string reservationId, CancellationToken cancellationToken) =>
        (await store.GetAsync<Reservation>(StateKeys.Reservation(reservationId), cancellationToken).ConfigureAwait(false))?.Value;

    public async Task<ReserveResult> ReserveAsync(ReserveCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        using var activity = BillingTelemetry.StartActivity(ReserveOperation);
        activity?.SetTag(BillingTelemetry.AccountTag, command.AccountId)
            .SetTag(BillingTelemetry.ProviderTag, command.Provider)
            .SetTag(BillingTelemetry.AmountTypeTag, command.AmountType == AmountType.Fixed ? BillingValidation.FixedName : BillingValidation.EstimateName)
            .SetTag(BillingTelemetry.AmountTag, command.Amount);

        // Chosen once: every attempt tries to create the same reservation, so after an unconfirmed
        // transaction its key tells whether that attempt landed.
        var reservationId = "rsv_" + Guid.CreateVersion7(clock.GetUtcNow()).ToString("N");
        var shard = ExpiryBuckets.ShardOf(command.AccountId, _options.ExpiryShards);
        var accountKey = StateKeys.Account(command.AccountId);
        var reservationKey = StateKeys.Reservation(reservationId);
        var idempotencyKey = command.IdempotencyKeyHash is { } hash ? StateKeys.ReserveIdempotency(command.AccountId, hash) : null;

        using var lane = await lanes.EnterAsync(command.AccountId, cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var now = clock.GetUtcNow();
            var bucketKey = StateKeys.ExpiryBucket(ExpiryBuckets.StartOf(now + command.Ttl), shard);
            List<string> keys = [accountKey, bucketKey];
            if (idempotencyKey is not null)
            {
                keys.Add(idempotencyKey);
            }

            if (attempt > 1)
            {
                keys.Add(reservationKey);
            }

            var snapshot = await store.ReadAsync(keys, cancellationToken).ConfigureAwait(false);
            if (attempt > 1 && snapshot.Get<Reservation>(reservationKey) is { } landed)
            {
                return FinishReserve(activity, new ReserveResult.Created(landed.Value), attempt - 1);
            }

            var account = snapshot.Get<Account>(accountKey);
            var existing = idempotencyKey is null ? null : snapshot.Get<ReserveIdempotency>(idempotencyKey);
            var decision = ReservationLedger.Reserve(account?.Value, existing?.Value, command, reservationId, now);
            ReserveDecision.Created created;
            switch (decision)
            {
                case ReserveDecision.Created c:
                    created = c;
                    break;
                case ReserveDecision.Replayed replayed:
                    var original = await store.GetAsync<Reservation>(StateKeys.Reservation(replayed.ReservationId), cancellationToken).ConfigureAwait(false)
                        ?? throw new InvalidOperationException($"Idempotency record of account {command.AccountId} names reservation {replayed.ReservationId}, which does not exist.");
                    return FinishReserve(activity, new ReserveResult.Replayed(original.Value), attempt);
                case ReserveDecision.IdempotencyConflict:
                    return FinishReserve(activity, new ReserveResult.IdempotencyConflict(), attempt);
                case ReserveDecision.UnknownAccount:
                    return FinishReserve(activity, new ReserveResult.UnknownAccount(), attempt);
                case ReserveDecision.InsufficientFunds insufficient:
                    return FinishReserve(activity, new ReserveResult.InsufficientFunds(insufficient.Available), attempt);
                default:
                    throw new UnreachableException($"A reserve cannot be decided as {decision}.");
            }

            if (attempt > _options.MaxWriteAttempts)
            {
                BillingLog.ContentionExhausted(logger, ReserveOperation, command.AccountId, _options.MaxWriteAttempts);
                return FinishReserve(activity, new ReserveResult.Contention(), attempt - 1);
            }

            var bucket = snapshot.Get<ExpiryBucket>(bucketKey);
            List<StateTransactionOperation> operations =
            [
                LedgerStore.Put(accountKey, created.Write.Account, account?.ETag ?? throw new UnreachableException("A reservation is created only on an account that exists.")),
                LedgerStore.Put(reservationKey, created.Reservation, null),
                LedgerStore.Put(bucketKey, new ExpiryBucket([.. bucket?.Value.Ids ?? [], reservationId]), bucket?.ETag),
                .. EntryOperations(created.Write),
            ];
            if (idempotencyKey is not null)
            {
                operations.Add(LedgerStore.Put(idempotencyKey, created.Idempotency ?? throw new UnreachableException("A reserve with a key creates its record."), null));
            }

            var result = await store.TryCommitAsync(operations, cancellationToken).ConfigureAwait(false);
            if (result.IsWritten)
            {
                return FinishReserve(activity, new ReserveResult.Created(created.Reservation), attempt);
            }

            BillingLog.WriteNotConfirmed(logger, ReserveOperation, command.AccountId, attempt, result.Failure.ToString());
            await ContentionBackoff.DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Finalizes (<see cref="FinalizeCommand"/>) or releases (<see cref="ReleaseCommand"/>) a reservation.</summary>
    public async Task<ResolveResult> ResolveAsync(string reservationId, ResolveCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var operation = command is ReleaseCommand ? ReleaseOperation : FinalizeOperation;
        using var activity = BillingTelemetry.StartActivity(operation);
        activity?.SetTag(BillingTelemetry.ReservationTag, reservationId).SetTag(BillingTelemetry.AmountTag, command.TargetAmount);
        var first = await store.GetAsync<Reservation>(StateKeys.Reservation(reservationId), cancellationToken).ConfigureAwait(false);
        if (first is null)
        {
            return Finish(activity, operation, new ResolveResult.NotFound(), 0);
        }

        return await ResolveCoreAsync(first, command, operation, activity, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The sweeper's expiry of a reservation it has read: decided like any other transition.</summary>
    public async Task<ResolveResult> ExpireAsync(StateEntry<Reservation> reservation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        using var activity = BillingTelemetry.StartActivity(ExpireOperation);
        activity?.SetTag(BillingTelemetry.ReservationTag, reservation.Value.Id);
        return await ResolveCoreAsync(reservation, new ExpireCommand(), ExpireOperation, activity, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ResolveResult> ResolveCoreAsync(StateEntry<Reservation> first, ResolveCommand command, string operation, Activity? activity, CancellationToken cancellationToken)
    {
        var accountId = first.Value.AccountId;
        activity?.SetTag(BillingTelemetry.AccountTag, accountId).SetTag(BillingTelemetry.ProviderTag, first.Value.Provider);
        var reservationKey = StateKeys.Reservation(first.Value.Id);
        var accountKey = StateKeys.Account(accountId);

        // Recorded on the reservation by the transaction that resolves it: after an unconfirmed
        // transaction, finding it on the re-read means this request won.
        var resolutionId = Guid.NewGuid().ToString("N");

        using var lane = await lanes.EnterAsync(accountId, cancellationToken).ConfigureAwait(false);
        var reservation = first;
        for (var attempt = 1; ; attempt++)
        {
            StateEntry<Account>? account;
            if (attempt == 1)
            {
                // The reservation read before entering the lane is usually still current; when it
                // is not, the transaction fails on its ETag and the next attempt reads both.
                account = await store.GetAsync<Account>(accountKey, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var snapshot = await store.ReadAsync([reservationKey, accountKey], cancellationToken).ConfigureAwait(false);
                reservation = snapshot.Get<Reservation>(reservationKey)
                    ?? throw new InvalidOperationException($"Reservation {first.Value.Id} disappeared.");
                account = snapshot.Get<Account>(accountKey);
            }

            if (account is null)
            {
                throw new InvalidOperationException($"Reservation {first.Value.Id} names account {accountId}, which does not exist.");
            }

            // Read apart, the reservation can be older than its account: another replica resolved
            // it in between and the account no longer counts its hold. That pair never existed
            // together; read both again (past the attempts, Decide reports it as the broken
            // invariant it then is).
            if (reservation.Value.Status == ReservationStatus.Reserved && account.Value.Held < reservation.Value.Amount && attempt <= _options.MaxWriteAttempts)
            {
                continue;
            }

            var decision = ReservationLedger.Decide(reservation.Value, account.Value, command, clock.GetUtcNow(), resolutionId);
            if (decision.Write is null)
            {
                var mine = string.Equals(decision.Reservation.ResolutionId, resolutionId, StringComparison.Ordinal);
                return Finish(activity, operation, mine ? Applied(decision.Reservation) : Unchanged(decision), attempt - 1);
            }

            if (attempt > _options.MaxWriteAttempts)
            {
                BillingLog.ContentionExhausted(logger, operation, accountId, _options.MaxWriteAttempts);
                return Finish(activity, operation, new ResolveResult.Contention(reservation.Value), attempt - 1);
            }

            List<StateTransactionOperation> operations =
            [
                LedgerStore.Put(reservationKey, decision.Reservation, reservation.ETag),
                LedgerStore.Put(accountKey, decision.Write.Account, account.ETag),
                .. EntryOperations(decision.Write),
            ];
            var result = await store.TryCommitAsync(operations, cancellationToken).ConfigureAwait(false);
            if (result.IsWritten)
            {
                return Finish(activity, operation, Applied(decision.Reservation), attempt);
            }

            BillingLog.WriteNotConfirmed(logger, operation, accountId, attempt, result.Failure.ToString());
            await ContentionBackoff.DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The answer when this request's transaction resolved <paramref name="reservation"/>.</summary>
    private static ResolveResult Applied(Reservation reservation) =>
        reservation.Status == ReservationStatus.Expired ? new ResolveResult.Expired(reservation) : new ResolveResult.Resolved(reservation);

    /// <summary>The answer to a decision that writes nothing.</summary>
    private static ResolveResult Unchanged(ResolveDecision decision) => decision.Outcome switch
    {
        ResolveOutcome.Repeated => new ResolveResult.Repeated(decision.Reservation),
        ResolveOutcome.Conflict => new ResolveResult.Conflict(decision.Reservation),
        ResolveOutcome.Expired => new ResolveResult.AlreadyExpired(decision.Reservation),
        ResolveOutcome.AmountMismatch => new ResolveResult.AmountMismatch(decision.Reservation),
        ResolveOutcome.LimitExceeded => new ResolveResult.LimitExceeded(),
        ResolveOutcome.NotDue => new ResolveResult.NotDue(decision.Reservation),
        ResolveOutcome.Settled => new ResolveResult.Settled(decision.Reservation),
        _ => throw new UnreachableException($"A decision without a write cannot be {decision.Outcome}."),
    };

    private static IEnumerable<StateTransactionOperation> EntryOperations(LedgerWrite write) =>
        write.Entries.Select(e => LedgerStore.Put(StateKeys.Entry(e.AccountId, e.Seq), e, null));

    private ReserveResult FinishReserve(Activity? activity, ReserveResult result, int attempts)
    {
        var (outcome, reservation) = result switch
        {
            ReserveResult.Created c => ("created", c.Reservation),
            ReserveResult.Replayed replayed => ("replayed", replayed.Reservation),
            ReserveResult.IdempotencyConflict => ("idempotency_conflict", null),
            ReserveResult.UnknownAccount => ("unknown_account", null),
            ReserveResult.InsufficientFunds => ("insufficient_funds", null),
            ReserveResult.Contention => ("contention", (Reservation?)null),
            _ => throw new UnreachableException($"A reserve cannot end in {result}."),
        };
        if (result is ReserveResult.Created created)
        {
            telemetry.RecordAmount("reserved", created.Reservation.Amount);
        }

        telemetry.CountReservation(ReserveOperation, outcome);
        activity?.SetTag(BillingTelemetry.ReservationTag, reservation?.Id)
            .SetTag(BillingTelemetry.OutcomeTag, outcome)
            .SetTag(BillingTelemetry.AttemptsTag, attempts);
        return result;
    }

    private ResolveResult Finish(Activity? activity, string operation, ResolveResult result, int attempts)
    {
        var outcome = result switch
        {
            ResolveResult.Resolved { Reservation.Status: ReservationStatus.Finalized } => "finalized",
            ResolveResult.Resolved => "released",
            ResolveResult.Expired => "expired",
            ResolveResult.Repeated => "repeated",
            ResolveResult.Conflict => "conflict",
            ResolveResult.AlreadyExpired => "already_expired",
            ResolveResult.AmountMismatch => "amount_mismatch",
            ResolveResult.LimitExceeded => "limit_exceeded",
            ResolveResult.NotDue => "not_due",
            ResolveResult.Settled => "settled",
            ResolveResult.NotFound => "not_found",
            ResolveResult.Contention => "contention",
            _ => throw new UnreachableException($"ResolveResult has no case {result.GetType().Name}."),
        };
        if (result is ResolveResult.Resolved { Reservation: var resolved })
        {
            if (resolved.Status == ReservationStatus.Finalized)
            {
                telemetry.RecordAmount("charged", resolved.FinalAmount ?? 0);
                if (resolved.Overage is > 0)
                {
                    telemetry.RecordAmount("overage", resolved.Overage.Value);
                }

                if (resolved.Unpaid is > 0)
                {
                    telemetry.RecordAmount("unpaid", resolved.Unpaid.Value);
                    BillingLog.ChargeUnpaid(logger, resolved.Id, resolved.AccountId, resolved.FinalAmount ?? 0, resolved.Unpaid.Value);
                }
            }
        }
        else if (result is ResolveResult.Expired { Reservation: var expired })
        {
            BillingLog.ReservationExpired(logger, expired.Id, expired.AccountId, expired.Amount);
        }

        telemetry.CountReservation(operation, outcome);
        activity?.SetTag(BillingTelemetry.OutcomeTag, outcome).SetTag(BillingTelemetry.AttemptsTag, attempts);
        return result;
    }
}
