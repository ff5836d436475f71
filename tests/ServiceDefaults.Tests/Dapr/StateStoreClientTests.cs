using System.Text.Json;
using Dapr;
using Gateway.ServiceDefaults.Dapr;
using Gateway.ServiceDefaults.Tests.Dapr.Support;
using Grpc.Core;

namespace Gateway.ServiceDefaults.Tests.Dapr;

/// <summary>The state adapter over the SDK's DaprClient against a live LocalSidecar's gRPC API, on SQLite and in memory.</summary>
[Collection(StateSidecarGroup.Name)]
public sealed class StateStoreClientTests : IDisposable
{
    private readonly TestDaprClients _clients;
    private readonly StateStoreClient _state;

    public StateStoreClientTests(StateSidecarFixture sidecar)
    {
        _clients = sidecar.CreateClients();
        _state = _clients.State;
    }

    public void Dispose() => _clients.Dispose();

    [Theory]
    [MemberData(nameof(StateSidecarFixture.Stores), MemberType = typeof(StateSidecarFixture))]
    public async Task GetState_MissingKey_ReturnsNull(string store)
    {
        Assert.Null(await _state.GetStateAsync<Account>(store, TestKeys.New()));
    }

    [Theory]
    [MemberData(nameof(StateSidecarFixture.Stores), MemberType = typeof(StateSidecarFixture))]
    public async Task SaveState_ThenGet_ReturnsValueAndETag(string store)
    {
        var key = TestKeys.New();
        await _state.SaveStateAsync(store, key, new Account("a1", 500));

        var entry = await _state.GetStateAsync<Account>(store, key);

        Assert.NotNull(entry);
        Assert.Equal(key, entry.Key);
        Assert.Equal(new Account("a1", 500), entry.Value);
        Assert.False(string.IsNullOrEmpty(entry.ETag));
    }

    [Theory]
    [MemberData(nameof(StateSidecarFixture.Stores), MemberType = typeof(StateSidecarFixture))]
    public async Task SaveState_UsesWebJsonDefaults(string store)
    {
        var key = TestKeys.New();
        await _state.SaveStateAsync(store, key, new Account("a1", 7));

        var raw = await _state.GetStateAsync<JsonElement>(store, key);

        Assert.Equal("a1", raw!.Value.GetProperty("accountId").GetString());
        Assert.Equal(7, raw.Value.GetProperty("balance").GetInt64());
    }

    [Theory]
    [MemberData(nameof(StateSidecarFixture.Stores), MemberType = typeof(StateSidecarFixture))]
    public async Task SaveState_Overwrite_ChangesETag(string store)
    {
        var key = TestKeys.New();
        await _state.SaveStateAsync(store, key, new Account("a1", 1));
        var first = await _state.GetStateAsync<Account>(store, key);

        await _state.SaveStateAsync(store, key, new Account("a1", 2));
        var second = await _state.GetStateAsync<Account>(store, key);

        Assert.Equal(2, second!.Value.Balance);
        Assert.NotEqual(first!.ETag, second.ETag);
    }

    [Theory]
    [MemberData(nameof(StateSidecarFixture.Stores), MemberType = typeof(StateSidecarFixture))]
    public async Task GetBulkState_ReturnsItemsInRequestOrder_MissingKeysNotFound(string store)
    {
        var (a, missing, b) = (TestKeys.New("a"), TestKeys.New("missing"), TestKeys.New("b"));
        await _state.SaveStateAsync(store, a, new Account("a", 1));
        await _state.SaveStateAsync(store, b, new Account("b", 2));

        var items = await _state.GetBulkStateAsync<Account>(store, [b, missing, a], parallelism: 2);

        Assert.Equal([b, missing, a], items.Select(i => i.Key));
        Assert.Equal(new Account("b", 2), items[0].Value);
        Assert.True(items[0].Found);
        Assert.False(string.IsNullOrEmpty(items[0].ETag));
        Assert.False(items[1].Found);
        Assert.Null(items[1].Value);
        Assert.Null(items[1].ETag);
        Assert.Equal(new Account("a", 1), items[2].Value);
        Assert.Equal((await _state.GetStateAsync<Account>(store, a))!.ETag, items[2].ETag);
    }

    [Theory]
    [MemberData(nameof(StateSidecarFixture.Stores), MemberType = typeof(StateSidecarFixture))]
    public async Task GetBulkState_NoKeys_ReturnsEmpty(string store)
    {
        Assert.Empty(await _state.GetBulkStateAsync<Account>(store, []));
    }

    [Theory]
    [MemberData(nameof(StateSidecarFixture.Stores), MemberType = typeof(StateSidecarFixture))]
    public async Task TrySaveState_WithCurrentETag_IsWritten(string store)
    {
        var key = TestKeys.New();
        await _state.SaveStateAsync(store, key, new Account("a1", 1));
        var read = await _state.GetStateAsync<Account>(store, key);

        var result = await _state.TrySaveStateAsync(store, key, read!.Value with { Balance = 2 }, read.ETag);

        Assert.Equal(StateWriteOutcome.Written, result.Outcome);
        Assert.True(result.IsWritten);
        Assert.Equal(StateWriteFailure.None, result.Failure);
        Assert.Equal(2, (await _state.GetStateAsync<Account>(store, key))!.Value.Balance);
    }

    [Theory]
    [MemberData(nameof(StateSidecarFixture.Stores), MemberType = typeof(StateSidecarFixture))]
    public async Task TrySaveState_WithStaleETag_IsUnknownEtagMismatch_AndValueStays(string store)
    {
        var key = TestKeys.New();
        await _state.SaveStateAsync(store, key, new Account("a1", 1));
        var stale = (await _state.GetStateAsync<Account>(store, key))!.ETag;
        await _state.SaveStateAsync(store, key, new Account("a1", 2));

        var result = await _state.TrySaveStateAsync(store, key, new Account("a1", 99), stale);

        Assert.Equal(StateWriteOutcome.Unknown, result.Outcome);
        Assert.False(result.IsWritten);
        Assert.Equal(StateWriteFailure.EtagMismatch, result.Failure);
        Assert.Equal(StatusCode.Aborted, result.StatusCode);
        Assert.Equal(2, (await _state.GetStateAsync<Account>(store, key))!.Value.Balance);
    }

    [Theory]
    [MemberData(nameof(StateSidecarFixture.Stores), MemberType = typeof(StateSidecarFixture))]
    public async Task TrySaveState_WithoutETag_CreatesOnlyWhenAbsent(string store)
    {
        var key = TestKeys.New();

        var created = await _state.TrySaveStateAsync(store, key, new Account("first", 1), etag: null);
        var again = await _state.TrySaveStateAsync(store, key, new Account("second", 2), etag: null);

        Assert.True(created.IsWritten);
        Assert.Equal(StateWriteOutcome.Unknown, again.Outcome);
        Assert.Equal(StateWriteFailure.EtagMismatch, again.Failure);
        Assert.Equal("first", (await _state.GetStateAsync<Account>(store, key))!.Value.AccountId);
    }

    [Theory]
    [MemberData(nameof(StateSidecarFixture.Stores), MemberType = typeof(StateSidecarFixture))]
    public async Task TrySaveState_WithETagForMissingKey_IsNotWritten(string store)
    {
        var other = TestKeys.New();
        await _state.SaveStateAsync(store, other, new Account("other", 1));
        var etagOfAnotherKey = (await _state.GetStateAsync<Account>(store, other))!.ETag;
        var key = TestKeys.New();

        var result = await _state.TrySaveStateAsync(store, key, new Account("a1", 1), etagOfAnotherKey);

        Assert.Equal(StateWriteFailure.EtagMismatch, result.Failure);
        Assert.Null(await _state.GetStateAsync<Account>(store, key));
    }

    [Theory]
    [MemberData(nameof(StateSidecarFixture.Stores), MemberType = typeof(StateSidecarFixture))]
    public async Task SaveState_WithTimeToLive_Expires(string store)
    {
        var key = TestKeys.New();
        var kept = TestKeys.New();
        await _state.SaveStateAsync(store, key, new Account("a1", 1), timeToLive: TimeSpan.FromSeconds(1));
        var created = await _state.TrySaveStateAsync(store, kept, new Account("a2", 2), etag: null, timeToLive: TimeSpan.FromMinutes(10));

        Assert.NotNull(await _state.GetStateAsync<Account>(store, key));
        Assert.True(created.IsWritten);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await _state.GetStateAsync<Account>(store, key) is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the value did not expire within 10 s of a 1 s TTL");
            await Task.Delay(200);
        }

        Assert.NotNull(await _state.GetStateAsync<Account>(store, kept));
    }

    [Theory]
    [MemberData(nameof(StateSidecarFixture.Stores), MemberType = typeof(StateSidecarFixture))]
    public async Task DeleteState_RemovesKey_AndMissingKeySucceeds(string store)
    {
        var key = TestKeys.New();
        await _state.SaveStateAsync(store, key, new Account("a1", 1));

        await _state.DeleteStateAsync(store, key);
        await _state.DeleteStateAsync(store, key);

        Assert.Null(await _state.GetStateAsync<Account>(store, key));
    }

    [Theory]
    [MemberData(nameof(StateSidecarFixture.Stores), MemberType = typeof(StateSidecarFixture))]
    public async Task TryDeleteState_WithStaleETag_IsUnknownEtagMismatch_AndKeyStays(string store)
    {
        var key = TestKeys.New();
        await _state.SaveStateAsync(store, key, new Account("a1", 1));
        var stale = (await _state.GetStateAsync<Account>(store, key))!.ETag!;
        await _state.SaveStateAsync(store, key, new Account("a1", 2));

        var result = await _state.TryDeleteStateAsync(store, key, stale);

        Assert.Equal(StateWriteOutcome.Unknown, result.Outcome);
        Assert.Equal(StateWriteFailure.EtagMismatch, result.Failure);
        Assert.Equal(StatusCode.Aborted, result.StatusCode);
        Assert.NotNull(await _state.GetStateAsync<Account>(store, key));
    }

    [Theory]
    [MemberData(nameof(StateSidecarFixture.Stores), MemberType = typeof(StateSidecarFixture))]
    public async Task TryDeleteState_WithCurrentETag_IsWritten(string store)
    {
        var key = TestKeys.New();
        await _state.SaveStateAsync(store, key, new Account("a1", 1));
        var current = (await _state.GetStateAsync<Account>(store, key))!.ETag!;

        var result = await _state.TryDeleteStateAsync(store, key, current);

        Assert.True(result.IsWritten);
        Assert.Null(await _state.GetStateAsync<Account>(store, key));
    }

    [Theory]
    [MemberData(nameof(StateSidecarFixture.Stores), MemberType = typeof(StateSidecarFixture))]
    public async Task TryExecuteStateTransaction_AllConditionsHold_AppliesEveryOperation(string store)
    {
        var (account, reservation, stale) = (TestKeys.New("account"), TestKeys.New("reservation"), TestKeys.New("stale"));
        await _state.SaveStateAsync(store, account, new Account("a1", 100));
        await _state.SaveStateAsync(store, stale, new Account("old", 0));
        var read = await _state.GetStateAsync<Account>(store, account);

        var result = await _state.TryExecuteStateTransactionAsync(store,
        [
            StateTransactionOperation.Upsert(account, read!.Value with { Balance = 70 }, read.ETag),
            StateTransactionOperation.Upsert(reservation, new Account("hold", 30)),
            StateTransactionOperation.Delete(stale),
        ]);

        Assert.True(result.IsWritten);
        Assert.Equal(70, (await _state.GetStateAsync<Account>(store, account))!.Value.Balance);
        Assert.Equal(30, (await _state.GetStateAsync<Account>(store, reservation))!.Value.Balance);
        Assert.Null(await _state.GetStateAsync<Account>(store, stale));
    }

    [Theory]
    [MemberData(nameof(StateSidecarFixture.Stores), MemberType = typeof(StateSidecarFixture))]
    public async Task TryExecuteStateTransaction_OneStaleETag_AppliesNothing(string store)
    {
        var (account, reservation, doomed) = (TestKeys.New("account"), TestKeys.New("reservation"), TestKeys.New("doomed"));
        await _state.SaveStateAsync(store, account, new Account("a1", 100));
        await _state.SaveStateAsync(store, doomed, new Account("d", 1));
        var stale = (await _state.GetStateAsync<Account>(store, account))!.ETag;
        await _state.SaveStateAsync(store, account, new Account("a1", 90));

        var result = await _state.TryExecuteStateTransactionAsync(store,
        [
            StateTransactionOperation.Upsert(reservation, new Account("hold", 30)),
            StateTransactionOperation.Delete(doomed),
            StateTransactionOperation.Upsert(account, new Account("a1", 70), stale),
        ]);

        Assert.Equal(StateWriteOutcome.Unknown, result.Outcome);
        Assert.Equal(StatusCode.Internal, result.StatusCode);
        Assert.Equal("ERR_STATE_TRANSACTION", result.ErrorCode);
        Assert.Equal(StateWriteFailure.EtagMismatch, result.Failure);
        Assert.Equal(90, (await _state.GetStateAsync<Account>(store, account))!.Value.Balance);
        Assert.Null(await _state.GetStateAsync<Account>(store, reservation));
        Assert.NotNull(await _state.GetStateAsync<Account>(store, doomed));
    }

    [Theory]
    [MemberData(nameof(StateSidecarFixture.Stores), MemberType = typeof(StateSidecarFixture))]
    public async Task TryExecuteStateTransaction_UpsertWithoutETagOnExistingKey_FirstWriteByDefault_AppliesNothing(string store)
    {
        var (existing, fresh) = (TestKeys.New("existing"), TestKeys.New("fresh"));
        await _state.SaveStateAsync(store, existing, new Account("e", 1));

        var refused = await _state.TryExecuteStateTransactionAsync(store,
        [
            StateTransactionOperation.Upsert(fresh, new Account("f", 2)),
            StateTransactionOperation.Upsert(existing, new Account("e", 3)),
        ]);
        var overwritten = await _state.TryExecuteStateTransactionAsync(store,
        [
            StateTransactionOperation.Upsert(existing, new Account("e", 4), concurrency: StateConcurrency.LastWrite),
        ]);

        Assert.Equal(StateWriteOutcome.Unknown, refused.Outcome);
        Assert.Null(await _state.GetStateAsync<Account>(store, fresh));
        Assert.True(overwritten.IsWritten);
        Assert.Equal(4, (await _state.GetStateAsync<Account>(store, existing))!.Value.Balance);
    }

    [Theory]
    [MemberData(nameof(StateSidecarFixture.Stores), MemberType = typeof(StateSidecarFixture))]
    public async Task TryExecuteStateTransaction_UpsertWithTimeToLive_Expires(string store)
    {
        var key = TestKeys.New();

        var result = await _state.TryExecuteStateTransactionAsync(store, [StateTransactionOperation.Upsert(key, new Account("t", 1), timeToLive: TimeSpan.FromSeconds(1))]);

        Assert.True(result.IsWritten);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await _state.GetStateAsync<Account>(store, key) is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the value did not expire within 10 s of a 1 s TTL");
            await Task.Delay(200);
        }
    }

    public static TheoryData<string, int> StoresAndWriters => new()
    {
        { StateSidecarFixture.Sqlite, 2 },
        { StateSidecarFixture.Sqlite, 20 },
        { StateSidecarFixture.Memory, 2 },
        { StateSidecarFixture.Memory, 20 },
    };

    [Theory]
    [MemberData(nameof(StoresAndWriters))]
    public async Task TrySaveState_ConcurrentWritersWithSameETag_ExactlyOneWins(string store, int writers)
    {
        var key = TestKeys.New();
        await _state.SaveStateAsync(store, key, new Account("start", 0));
        var read = await _state.GetStateAsync<Account>(store, key);

        var results = await RaceAsync(writers, i => _state.TrySaveStateAsync(store, key, new Account($"writer{i}", i), read!.ETag));

        var winner = Assert.Single(results, r => r.Result.IsWritten);
        Assert.All(results.Where(r => r != winner), r =>
        {
            Assert.Equal(StateWriteOutcome.Unknown, r.Result.Outcome);
            Assert.Equal(StateWriteFailure.EtagMismatch, r.Result.Failure);
        });
        Assert.Equal($"writer{winner.Writer}", (await _state.GetStateAsync<Account>(store, key))!.Value.AccountId);
    }

    [Theory]
    [MemberData(nameof(StoresAndWriters))]
    public async Task TrySaveState_ConcurrentCreators_ExactlyOneWins(string store, int writers)
    {
        var key = TestKeys.New();

        var results = await RaceAsync(writers, i => _state.TrySaveStateAsync(store, key, new Account($"writer{i}", i), etag: null));

        var winner = Assert.Single(results, r => r.Result.IsWritten);
        Assert.All(results.Where(r => r != winner), r => Assert.Equal(StateWriteFailure.EtagMismatch, r.Result.Failure));
        Assert.Equal($"writer{winner.Writer}", (await _state.GetStateAsync<Account>(store, key))!.Value.AccountId);
    }

    [Theory]
    [MemberData(nameof(StoresAndWriters))]
    public async Task TryExecuteStateTransaction_ConcurrentWritersWithSameETags_ExactlyOneWins(string store, int writers)
    {
        var (account, reservation) = (TestKeys.New("account"), TestKeys.New("reservation"));
        await _state.SaveStateAsync(store, account, new Account("a1", 100));
        var read = await _state.GetStateAsync<Account>(store, account);

        var results = await RaceAsync(writers, i => _state.TryExecuteStateTransactionAsync(store,
        [
            StateTransactionOperation.Upsert(account, new Account("a1", 100 - i), read!.ETag),
            StateTransactionOperation.Upsert(reservation, new Account($"writer{i}", i)),
        ]));

        var winner = Assert.Single(results, r => r.Result.IsWritten);
        Assert.All(results.Where(r => r != winner), r => Assert.Equal(StateWriteOutcome.Unknown, r.Result.Outcome));
        Assert.Equal(100 - winner.Writer, (await _state.GetStateAsync<Account>(store, account))!.Value.Balance);
        Assert.Equal($"writer{winner.Writer}", (await _state.GetStateAsync<Account>(store, reservation))!.Value.AccountId);
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("100%")]
    [InlineData("a?b#c")]
    [InlineData("a+b&c=d;e")]
    [InlineData("ü-ключ-鍵")]
    [InlineData("single|pipe")]
    [InlineData("%2F")]
    [InlineData("a\\b")]
    [InlineData("...")]
    public async Task Keys_WithCharactersReservedInUrls_RoundTrip(string suffix)
    {
        var store = StateSidecarFixture.Sqlite;
        var key = TestKeys.New() + suffix;
        await _state.SaveStateAsync(store, key, new Account(key, 1));

        var entry = await _state.GetStateAsync<Account>(store, key);
        var bulk = await _state.GetBulkStateAsync<Account>(store, [key]);
        var deleted = await _state.TryDeleteStateAsync(store, key, entry?.ETag ?? "none");

        Assert.Equal(key, entry?.Value.AccountId);
        Assert.Equal(key, Assert.Single(bulk).Value?.AccountId);
        Assert.True(deleted.IsWritten);
        Assert.Null(await _state.GetStateAsync<Account>(store, key));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("/")]
    [InlineData(".")]
    [InlineData("..")]
    public async Task Keys_ThatUrlPathsCannotAddress_RoundTripOverGrpc(string suffix)
    {
        var store = StateSidecarFixture.Sqlite;
        var key = suffix is "." or ".." ? suffix + TestKeys.New() : TestKeys.New() + suffix;
        await _state.SaveStateAsync(store, key, new Account(key, 1));

        var entry = await _state.GetStateAsync<Account>(store, key);
        var bulk = await _state.GetBulkStateAsync<Account>(store, [key]);
        await _state.DeleteStateAsync(store, key);

        Assert.Equal(key, entry?.Value.AccountId);
        Assert.Equal(key, Assert.Single(bulk).Value?.AccountId);
        Assert.Null(await _state.GetStateAsync<Account>(store, key));
    }

    [Fact]
    public async Task GetState_UnknownStore_ThrowsStoreNotFound()
    {
        var error = SidecarFailure.Of(await Assert.ThrowsAsync<DaprException>(() => _state.GetStateAsync<Account>("no-such-store", TestKeys.New())));

        Assert.Equal(StatusCode.InvalidArgument, error?.StatusCode);
        Assert.Equal("DAPR_STATE_NOT_FOUND", error?.Reason);
        Assert.Contains("no-such-store", error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrySaveState_UnknownStore_ThrowsInsteadOfReportingAConflict()
    {
        var error = SidecarFailure.Of(await Assert.ThrowsAsync<DaprException>(() => _state.TrySaveStateAsync("no-such-store", TestKeys.New(), new Account("a", 1), etag: null)));

        Assert.Equal("DAPR_STATE_NOT_FOUND", error?.Reason);
    }

    [Fact]
    public async Task TryExecuteStateTransaction_UnknownStore_Throws()
    {
        var error = SidecarFailure.Of(await Assert.ThrowsAsync<DaprException>(() => _state.TryExecuteStateTransactionAsync("no-such-store", [StateTransactionOperation.Delete(TestKeys.New())])));

        Assert.Equal("DAPR_STATE_NOT_FOUND", error?.Reason);
    }

    [Fact]
    public async Task GetState_KeyWithDoublePipe_ThrowsIllegalKey()
    {
        var error = SidecarFailure.Of(await Assert.ThrowsAsync<DaprException>(() => _state.GetStateAsync<Account>(StateSidecarFixture.Sqlite, "a||b")));

        Assert.Equal(StatusCode.InvalidArgument, error?.StatusCode);
        Assert.Equal("DAPR_STATE_ILLEGAL_KEY", error?.Reason);
    }

    [Fact]
    public async Task PublicMethods_RejectMissingArguments()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _state.GetStateAsync<Account>("", "k"));
        await Assert.ThrowsAsync<ArgumentException>(() => _state.GetStateAsync<Account>("s", ""));
        await Assert.ThrowsAsync<ArgumentException>(() => _state.TrySaveStateAsync("s", "k", 1, etag: ""));
        await Assert.ThrowsAsync<ArgumentException>(() => _state.TryDeleteStateAsync("s", "k", ""));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _state.SaveStateAsync("s", "k", 1, TimeSpan.Zero));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _state.GetBulkStateAsync<int>("s", ["k"], parallelism: 0));
        await Assert.ThrowsAsync<ArgumentException>(() => _state.TryExecuteStateTransactionAsync("s", []));
        Assert.Throws<ArgumentException>(() => StateTransactionOperation.Upsert("", 1));
    }

    /// <summary>Starts <paramref name="writers"/> writes as close together as the thread pool allows.</summary>
    private static async Task<IReadOnlyList<(int Writer, StateWriteResult Result)>> RaceAsync(int writers, Func<int, Task<StateWriteResult>> write)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, writers).Select(async i =>
        {
            await start.Task;
            return (i, await write(i));
        }).ToList();
        start.SetResult();
        return await Task.WhenAll(tasks);
    }
}
