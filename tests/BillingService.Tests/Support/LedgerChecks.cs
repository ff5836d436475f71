namespace Gateway.BillingService.Tests.Support;

/// <summary>The books of one account, replayed from its entries.</summary>
internal static class LedgerChecks
{
    /// <summary>
    /// The account agrees with what the callers were told and with its entries: balance = credits −
    /// charges, unpaid = Σ unpaid entries, nothing held, every reservation held and released once,
    /// entries numbered without gaps and replaying to the account, and the balance never below
    /// minus the credit limit at any entry.
    /// </summary>
    /// <param name="charged">What the callers were told was charged, when the test knows it.</param>
    public static async Task AssertBooksBalanceAsync(BillingStack stack, string accountId, long credited, int reservations, long? charged = null)
    {
        var account = await stack.Api.AccountAsync(accountId);
        var entries = await stack.ApiOf(1).EntriesAsync(accountId, pageSize: 97);
        Assert.Equal(account.Long("entryCount"), entries.Count);
        long balance = 0, held = 0, unpaid = 0, charges = 0, seq = 0;
        var limit = account.Long("creditLimit");
        foreach (var entry in entries)
        {
            Assert.Equal(++seq, entry.GetProperty("seq").GetInt64());
            var amount = entry.GetProperty("amount").GetInt64();
            Assert.True(amount > 0, entry.ToString());
            switch (entry.GetProperty("kind").GetString())
            {
                case "credit": balance += amount; break;
                case "charge": balance -= amount; charges += amount; break;
                case "hold": held += amount; break;
                case "release": held -= amount; break;
                case "unpaid": unpaid += amount; break;
                default: Assert.Fail(entry.ToString()); break;
            }

            Assert.Equal((balance, held), (entry.GetProperty("balanceAfter").GetInt64(), entry.GetProperty("heldAfter").GetInt64()));
            Assert.True(balance >= -limit, $"entry {seq} takes the balance to {balance}, below the credit limit {limit}");
        }

        Assert.Equal((account.Long("balance"), 0L, account.Long("unpaid")), (balance, held, unpaid));
        Assert.Equal((credited, charges, credited - charges), (account.Long("credited"), account.Long("charged"), account.Long("balance")));
        if (charged is { } told)
        {
            Assert.Equal(told, charges);
        }

        var holds = entries.Where(e => e.GetProperty("kind").GetString() == "hold").Select(e => e.GetProperty("reservationId").GetString()).ToList();
        Assert.Equal(reservations, holds.Count);
        Assert.Equal(reservations, holds.Distinct().Count());
        Assert.Equal(
            holds.Order(StringComparer.Ordinal),
            entries.Where(e => e.GetProperty("kind").GetString() == "release").Select(e => e.GetProperty("reservationId").GetString()).Order(StringComparer.Ordinal));
    }
}
