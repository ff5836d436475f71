using Gateway.BillingService.Model;

namespace Gateway.BillingService.Services;

/// <summary>
/// The money rules, as pure functions of the documents read and the clock: nothing here reads or
/// writes state. The caller writes what a decision says in one state transaction carrying the
/// ETags it read, and decides again from fresh reads when that transaction is not confirmed.
/// </summary>
/// <remarks>
/// Semantics follow two-phase transfers (TigerBeetle's pending → post | void with a timeout,
/// Stripe's authorize → capture): a hold moves <see cref="Account.Held"/> only, and resolving it
/// releases the whole hold and then charges the final amount, if any, from the balance. Each
/// ledger entry moves exactly one figure, so the entries replay to the account. Money is never
/// created by overdraft: the balance stays at or above minus the account's credit limit (see
/// <see cref="Account"/>), and what a finalize asks beyond that is recorded as unpaid, not charged.
/// </remarks>
internal static class ReservationLedger
{
    /// <summary>Holds <see cref="ReserveCommand.Amount"/> on the account, or says why not.</summary>
    /// <param name="account">The account as read, null when it does not exist.</param>
    /// <param name="existing">The record of the command's idempotency key as read, null when unused (or no key).</param>
    /// <param name="command">The validated request.</param>
    /// <param name="reservationId">The id a new reservation gets (chosen before the first attempt, so retries reuse it).</param>
    /// <param name="now">The business clock.</param>
    public static ReserveDecision Reserve(Account? account, ReserveIdempotency? existing, ReserveCommand command, string reservationId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(command);

        // The key decides before the funds do: a replay answers with the reservation it created
        // even when the account could no longer afford it.
        if (existing is not null)
        {
            return string.Equals(existing.RequestHash, command.RequestHash, StringComparison.Ordinal)
                ? new ReserveDecision.Replayed(existing.ReservationId)
                : new ReserveDecision.IdempotencyConflict();
        }

        if (account is null)
        {
            return new ReserveDecision.UnknownAccount();
        }

        if (account.Available < command.Amount)
        {
            return new ReserveDecision.InsufficientFunds(account.Available);
        }

        // Held + amount <= balance + credit limit <= MaxTotal + MaxAmount here, so nothing can overflow.
        var held = account.Held + command.Amount;
        var seq = account.NextEntrySeq;
        var reservation = new Reservation(
            reservationId,
            account.Id,
            command.Reference,
            command.Provider,
            command.Operation,
            command.Amount,
            command.AmountType,
            ReservationStatus.Reserved,
            now,
            now + command.Ttl);
        var hold = new LedgerEntry(account.Id, seq, EntryKind.Hold, command.Amount, account.Balance, held, now, reservationId);
        var updated = account with { Held = held, NextEntrySeq = seq + 1, UpdatedAt = now };
        var idempotency = command.IdempotencyKeyHash is null ? null : new ReserveIdempotency(reservationId, command.RequestHash, now);
        return new ReserveDecision.Created(reservation, new LedgerWrite(updated, [hold]), idempotency);
    }

    /// <summary>
    /// The reservation state machine: <c>reserved → finalized | released | expired</c>, one
    /// transition at most, decided for <paramref name="command"/> against the versions read.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>Reserved and <paramref name="now"/> ≥ <see cref="Reservation.ExpiresAt"/>: expires it
    /// (whatever was asked), answering <see cref="ResolveOutcome.Expired"/>.</item>
    /// <item>Reserved, not due: finalize or release as asked (finalize with 0 is a release); a
    /// fixed reservation accepts only its own amount or 0; the sweeper's expire is
    /// <see cref="ResolveOutcome.NotDue"/>.</item>
    /// <item>Reserved, finalized above what the account can pay (its hold plus what is available):
    /// charged that much, the rest recorded as unpaid.</item>
    /// <item>Finalized or released: <see cref="ResolveOutcome.Repeated"/> when the status and the
    /// amount asked (charged plus unpaid) are those asked for now (the reason does not count), else
    /// <see cref="ResolveOutcome.Conflict"/>.</item>
    /// <item>Expired: <see cref="ResolveOutcome.Expired"/>.</item>
    /// <item>The sweeper's expire on any terminal reservation: <see cref="ResolveOutcome.Settled"/>.</item>
    /// </list>
    /// </remarks>
    /// <param name="reservation">The reservation as read.</param>
    /// <param name="account">Its account as read.</param>
    /// <param name="command">What is asked.</param>
    /// <param name="now">The business clock.</param>
    /// <param name="resolutionId">Recorded on the reservation if this decision resolves it.</param>
    /// <exception cref="InvalidOperationException">The documents break an invariant (a different account, a hold larger than the account's held amount).</exception>
    public static ResolveDecision Decide(Reservation reservation, Account account, ResolveCommand command, DateTimeOffset now, string resolutionId)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(command);
        if (!string.Equals(reservation.AccountId, account.Id, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Reservation {reservation.Id} belongs to account {reservation.AccountId}, not {account.Id}.");
        }

        return reservation.Status switch
        {
            ReservationStatus.Reserved when now >= reservation.ExpiresAt =>
                Close(reservation, account, ReservationStatus.Expired, 0, 0, ExpireCommand.ExpiredReason, now, resolutionId, ResolveOutcome.Expired),
            ReservationStatus.Reserved when command is ExpireCommand => new ResolveDecision(ResolveOutcome.NotDue, reservation),
            ReservationStatus.Reserved => Resolve(reservation, account, command, now, resolutionId),
            _ when command is ExpireCommand => new ResolveDecision(ResolveOutcome.Settled, reservation),
            ReservationStatus.Expired => new ResolveDecision(ResolveOutcome.Expired, reservation),
            _ when reservation.Status == command.TargetStatus && reservation.RequestedAmount == command.TargetAmount =>
                new ResolveDecision(ResolveOutcome.Repeated, reservation),
            _ => new ResolveDecision(ResolveOutcome.Conflict, reservation),
        };
    }

    /// <summary>Credits the account, creating it on its first credit, or says why not.</summary>
    public static CreditDecision Credit(Account? account, CreditIdempotency? existing, CreditCommand command, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (existing is not null)
        {
            return string.Equals(existing.RequestHash, command.RequestHash, StringComparison.Ordinal)
                ? new CreditDecision.Replayed(existing)
                : new CreditDecision.IdempotencyConflict();
        }

        var current = account ?? Account.Open(command.AccountId, now);
        if (current.Credited > LedgerLimits.MaxTotal - command.Amount || current.Balance > LedgerLimits.MaxTotal - command.Amount)
        {
            return new CreditDecision.LimitExceeded();
        }

        var seq = current.NextEntrySeq;
        var balance = current.Balance + command.Amount;
        var entry = new LedgerEntry(current.Id, seq, EntryKind.Credit, command.Amount, balance, current.Held, now);
        var updated = current with { Balance = balance, Credited = current.Credited + command.Amount, NextEntrySeq = seq + 1, UpdatedAt = now };
        var result = new CreditIdempotency(command.RequestHash, command.Amount, seq, balance, now);
        return new CreditDecision.Credited(result, new LedgerWrite(updated, [entry]));
    }

    /// <summary>
    /// Sets how far below zero the account's balance may go, opening the account (postpaid) when it
    /// does not exist. Refused when the account already uses more than the new limit would allow:
    /// its holds and any balance below zero must stay covered.
    /// </summary>
    public static CreditLimitDecision SetCreditLimit(Account? account, CreditLimitCommand command, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(command);
        var current = account ?? Account.Open(command.AccountId, now);
        if (current.CreditLimit == command.CreditLimit && account is not null)
        {
            return new CreditLimitDecision.Unchanged(current);
        }

        // Held <= MaxTotal and Balance >= -MaxTotal, so this cannot overflow.
        var minimum = Math.Max(0, current.Held - current.Balance);
        return command.CreditLimit < minimum
            ? new CreditLimitDecision.InUse(minimum)
            : new CreditLimitDecision.Changed(current with { CreditLimit = command.CreditLimit, UpdatedAt = now }, current.CreditLimit);
    }

    private static ResolveDecision Resolve(Reservation reservation, Account account, ResolveCommand command, DateTimeOffset now, string resolutionId)
    {
        var amount = command.TargetAmount;
        if (reservation.AmountType == AmountType.Fixed && amount != 0 && amount != reservation.Amount)
        {
            return new ResolveDecision(ResolveOutcome.AmountMismatch, reservation);
        }

        // The hold comes back first, so the account can pay it plus whatever is still available;
        // never more, so the balance stays at or above minus the credit limit and every other open
        // hold can still be charged in full. (An account already past its limit, from before limits
        // existed, pays up to its hold.)
        var charge = Math.Min(amount, reservation.Amount + Math.Max(0, account.Available));
        var unpaid = amount - charge;

        // Written to avoid overflow: balance - charge < -MaxTotal, charged + charge > MaxTotal, unpaid so far + unpaid > MaxTotal.
        if (charge > account.Balance + LedgerLimits.MaxTotal || account.Charged > LedgerLimits.MaxTotal - charge || account.Unpaid > LedgerLimits.MaxTotal - unpaid)
        {
            return new ResolveDecision(ResolveOutcome.LimitExceeded, reservation);
        }

        return Close(reservation, account, command.TargetStatus, charge, unpaid, command.Reason, now, resolutionId, ResolveOutcome.Resolved);
    }

    /// <summary>Releases the whole hold, then charges <paramref name="amount"/> when positive and records <paramref name="unpaid"/> when positive.</summary>
    private static ResolveDecision Close(Reservation reservation, Account account, ReservationStatus status, long amount, long unpaid, string? reason, DateTimeOffset now, string resolutionId, ResolveOutcome outcome)
    {
        if (account.Held < reservation.Amount)
        {
            throw new InvalidOperationException($"Account {account.Id} holds {account.Held}, less than reservation {reservation.Id}'s {reservation.Amount}.");
        }

        var seq = account.NextEntrySeq;
        var held = account.Held - reservation.Amount;
        List<LedgerEntry> entries = [new(account.Id, seq, EntryKind.Release, reservation.Amount, account.Balance, held, now, reservation.Id, Reason: reason)];
        var balance = account.Balance;
        var charged = account.Charged;
        long? overage = null;
        long? unpaidRecorded = null;
        if (amount > 0)
        {
            balance -= amount;
            charged += amount;
            overage = Math.Max(0, amount - reservation.Amount);
            unpaidRecorded = unpaid;
            entries.Add(new LedgerEntry(account.Id, seq + 1, EntryKind.Charge, amount, balance, held, now, reservation.Id, overage, reason));
        }

        if (unpaid > 0)
        {
            entries.Add(new LedgerEntry(account.Id, seq + entries.Count, EntryKind.Unpaid, unpaid, balance, held, now, reservation.Id, Reason: reason));
        }

        var updatedAccount = account with { Balance = balance, Held = held, Charged = charged, Unpaid = account.Unpaid + unpaid, NextEntrySeq = seq + entries.Count, UpdatedAt = now };
        var resolved = reservation with
        {
            Status = status,
            FinalAmount = amount,
            Overage = overage,
            Reason = reason,
            ResolvedAt = now,
            ResolutionId = resolutionId,
            Unpaid = unpaidRecorded,
        };
        return new ResolveDecision(outcome, resolved, new LedgerWrite(updatedAccount, entries));
    }
}
