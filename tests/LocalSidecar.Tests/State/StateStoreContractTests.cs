using Gateway.Testing;
using Microsoft.Extensions.Time.Testing;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.LocalSidecar.State;

namespace Gateway.LocalSidecar.Tests.State;

/// <summary>
/// What every state store does as its Dapr component does (Dapr's conformance suite and the
/// components' sources). Derived classes supply the store and the answers where Dapr's components
/// differ from each other. Each test owns its data: a fresh store over fresh storage.
/// </summary>
public abstract class StateStoreContractTests : IAsyncLifetime
{
    private protected static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly List<IStateStore> _stores = [];

    private protected FakeTimeProvider Clock { get; } = new(Start);

    private protected IStateStore Store { get; private set; } = null!;

    /// <summary>An ETag in the store's format that no item has.</summary>
    private protected abstract string UnusedETag { get; }

    /// <summary>An ETag that is not in the store's format.</summary>
    private protected virtual string MalformedETag => "not-an-etag";

    private protected virtual StoreResult MalformedETagResult => StoreResult.ETagMismatch;

    /// <summary>Whether first-write without an ETag on a live key fails with an exception (daprd: 500) rather than a mismatch (409).</summary>
    private protected virtual bool FirstWriteConflictThrows => false;

    private protected abstract StoreResult DeleteFirstWriteWithoutETagOnExistingKeyResult { get; }

    private protected abstract StoreResult DeleteWithETagOfExpiredItemResult { get; }

    /// <summary>Whether a transaction checks each ETag against the state before it (in-memory) rather than after the operations ahead of it (SQL stores).</summary>
    private protected abstract bool TransactionChecksAgainstStateBeforeIt { get; }

    /// <summary>Whether two stores made by <see cref="CreateStore"/> in one test share their data (two sidecar processes on one database).</summary>
    private protected abstract bool StoresShareData { get; }

    /// <summary>A new store over this test's storage.</summary>
    private protected abstract IStateStore CreateStore(StoreSettings settings);

    /// <summary>Items held by <paramref name="store"/>, expired ones not yet removed included.</summary>
    private protected abstract Task<int> CountStoredItemsAsync(IStateStore store);

    private protected abstract Task<int> CleanupExpiredAsync(IStateStore store);

    private protected virtual Task PrepareStorageAsync() => Task.CompletedTask;

    private protected virtual ValueTask DeleteStorageAsync() => ValueTask.CompletedTask;

    public async Task InitializeAsync()
    {
        await PrepareStorageAsync();
        Store = await CreateInitializedStoreAsync(new StoreSettings());
    }

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        await DeleteStorageAsync();
    }

    // ---- Get and Set ----

    [Fact]
    public async Task Get_MissingKey_ReturnsNull()
    {
        Assert.Null(await Store.GetAsync("missing", default));
    }

    [Fact]
    public async Task Set_NewKey_GetReturnsValueAndETag()
    {
        Assert.Equal(StoreResult.Ok, await SetAsync("k", """{"name":"a","n":[1,2.5,true,null]}"""));

        var item = await AssertValueAsync("k", """{"name":"a","n":[1,2.5,true,null]}""");
        Assert.False(string.IsNullOrEmpty(item.ETag));
        Assert.Null(item.ExpiresAt);
    }

    [Fact]
    public async Task Set_NonAsciiValue_RoundTrips()
    {
        Assert.Equal(StoreResult.Ok, await SetAsync("k", "\"⏱️ Zürich\""));

        await AssertValueAsync("k", "\"⏱️ Zürich\"");
    }

    [Fact]
    public async Task Set_EveryWrite_ChangesETag()
    {
        var etags = new List<string> { (await SetAndGetAsync("k", "1")).ETag };
        Assert.Equal(StoreResult.Ok, await SetAsync("k", "2"));
        etags.Add((await GetAsync("k")).ETag);
        Assert.Equal(StoreResult.Ok, await SetAsync("k", "3", etags[^1]));
        etags.Add((await GetAsync("k")).ETag);
        Assert.Equal(StoreResult.Ok, await SetAsync("k", "4", etags[^1], Concurrency.FirstWrite));
        etags.Add((await GetAsync("k")).ETag);
        Assert.Equal(StoreResult.Ok, await Store.TransactAsync([Set("k", "5"), Set("other", "5")], default));
        etags.Add((await GetAsync("k")).ETag);

        Assert.Equal(etags.Count, etags.Distinct().Count());
    }

    [Fact]
    public async Task Set_LastWriteWithoutETagOnExistingKey_Overwrites()
    {
        await SetAndGetAsync("k", "1");

        Assert.Equal(StoreResult.Ok, await SetAsync("k", "2"));

        await AssertValueAsync("k", "2");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Set_WithCurrentETag_ReturnsOk(bool firstWrite)
    {
        var concurrency = firstWrite ? Concurrency.FirstWrite : Concurrency.LastWrite;
        var current = await SetAndGetAsync("k", "1");

        Assert.Equal(StoreResult.Ok, await SetAsync("k", "2", current.ETag, concurrency));

        await AssertValueAsync("k", "2");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Set_WithStaleETag_ReturnsMismatchAndKeepsValue(bool firstWrite)
    {
        var concurrency = firstWrite ? Concurrency.FirstWrite : Concurrency.LastWrite;
        var stale = await SetAndGetAsync("k", "1");
        var current = await SetAndGetAsync("k", "2");

        Assert.Equal(StoreResult.ETagMismatch, await SetAsync("k", "3", stale.ETag, concurrency));

        var item = await AssertValueAsync("k", "2");
        Assert.Equal(current.ETag, item.ETag);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Set_WithETagForMissingKey_ReturnsMismatchAndWritesNothing(bool firstWrite)
    {
        var concurrency = firstWrite ? Concurrency.FirstWrite : Concurrency.LastWrite;
        Assert.Equal(StoreResult.ETagMismatch, await SetAsync("k", "1", UnusedETag, concurrency));

        Assert.Null(await Store.GetAsync("k", default));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Set_WithMalformedETag_ReturnsStoreSpecificResult(bool keyExists)
    {
        if (keyExists)
        {
            await SetAndGetAsync("k", "1");
        }

        Assert.Equal(MalformedETagResult, await SetAsync("k", "2", MalformedETag));

        if (keyExists)
        {
            await AssertValueAsync("k", "1");
        }
        else
        {
            Assert.Null(await Store.GetAsync("k", default));
        }
    }

    [Fact]
    public async Task Set_FirstWriteWithoutETagOnMissingKey_ReturnsOk()
    {
        Assert.Equal(StoreResult.Ok, await SetAsync("k", "1", concurrency: Concurrency.FirstWrite));

        await AssertValueAsync("k", "1");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Set_FirstWriteWithoutETagOnExistingKey_FailsAndKeepsValue(string? etag)
    {
        var current = await SetAndGetAsync("k", "1");

        await AssertFirstWriteConflictAsync(() => SetAsync("k", "2", etag, Concurrency.FirstWrite));

        var item = await AssertValueAsync("k", "1");
        Assert.Equal(current.ETag, item.ETag);
    }

    [Fact]
    public async Task Set_LastWriteWithEmptyETag_IsTreatedAsNoETag()
    {
        await SetAndGetAsync("k", "1");

        Assert.Equal(StoreResult.Ok, await SetAsync("k", "2", string.Empty));

        await AssertValueAsync("k", "2");
    }

    // ---- Delete ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Delete_MissingKeyWithoutETag_ReturnsOk(bool firstWrite)
    {
        var concurrency = firstWrite ? Concurrency.FirstWrite : Concurrency.LastWrite;
        Assert.Equal(StoreResult.Ok, await DeleteAsync("missing", null, concurrency));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Delete_LastWriteWithoutETag_RemovesItem(string? etag)
    {
        await SetAndGetAsync("k", "1");

        Assert.Equal(StoreResult.Ok, await DeleteAsync("k", etag));

        Assert.Null(await Store.GetAsync("k", default));
    }

    [Fact]
    public async Task Delete_FirstWriteWithoutETagOnExistingKey_ReturnsStoreSpecificResult()
    {
        await SetAndGetAsync("k", "1");

        Assert.Equal(DeleteFirstWriteWithoutETagOnExistingKeyResult, await DeleteAsync("k", null, Concurrency.FirstWrite));

        if (DeleteFirstWriteWithoutETagOnExistingKeyResult == StoreResult.Ok)
        {
            Assert.Null(await Store.GetAsync("k", default));
        }
        else
        {
            await AssertValueAsync("k", "1");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Delete_WithCurrentETag_RemovesItem(bool firstWrite)
    {
        var concurrency = firstWrite ? Concurrency.FirstWrite : Concurrency.LastWrite;
        var current = await SetAndGetAsync("k", "1");

        Assert.Equal(StoreResult.Ok, await DeleteAsync("k", current.ETag, concurrency));

        Assert.Null(await Store.GetAsync("k", default));
    }

    [Fact]
    public async Task Delete_WithStaleETag_ReturnsMismatchAndKeepsItem()
    {
        var stale = await SetAndGetAsync("k", "1");
        await SetAndGetAsync("k", "2");

        Assert.Equal(StoreResult.ETagMismatch, await DeleteAsync("k", stale.ETag));

        await AssertValueAsync("k", "2");
    }

    [Fact]
    public async Task Delete_WithETagForMissingKey_ReturnsMismatch()
    {
        Assert.Equal(StoreResult.ETagMismatch, await DeleteAsync("missing", UnusedETag));
    }

    [Fact]
    public async Task Delete_WithMalformedETag_ReturnsStoreSpecificResultAndKeepsItem()
    {
        await SetAndGetAsync("k", "1");

        Assert.Equal(MalformedETagResult, await DeleteAsync("k", MalformedETag));

        await AssertValueAsync("k", "1");
    }

    // ---- Transactions ----

    [Fact]
    public async Task Transact_NoOperations_ReturnsOk()
    {
        Assert.Equal(StoreResult.Ok, await Store.TransactAsync([], default));
    }

    [Fact]
    public async Task Transact_ValidOperations_AppliesAll()
    {
        var a = await SetAndGetAsync("a", "1");
        var b = await SetAndGetAsync("b", "1");

        var result = await Store.TransactAsync(
            [Set("a", "2", a.ETag), Delete("b", b.ETag), Set("c", "3", concurrency: Concurrency.FirstWrite), Delete("never-existed")],
            default);

        Assert.Equal(StoreResult.Ok, result);
        await AssertValueAsync("a", "2");
        Assert.Null(await Store.GetAsync("b", default));
        await AssertValueAsync("c", "3");
    }

    [Fact]
    public async Task Transact_OperationsOnSameKeys_ApplyInOrder()
    {
        await SetAndGetAsync("k1", "1");

        var result = await Store.TransactAsync([Delete("k1"), Set("k2", "2"), Delete("k2"), Set("k3", "3")], default);

        Assert.Equal(StoreResult.Ok, result);
        Assert.Null(await Store.GetAsync("k1", default));
        Assert.Null(await Store.GetAsync("k2", default));
        await AssertValueAsync("k3", "3");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Transact_OneStaleETag_AppliesNothing(int badPosition)
    {
        var a = await SetAndGetAsync("a", "1");
        var staleB = await SetAndGetAsync("b", "1");
        var b = await SetAndGetAsync("b", "2");
        var operations = new List<StateOperation> { Set("a", "9", a.ETag), Set("c", "9") };
        operations.Insert(badPosition, Set("b", "9", staleB.ETag));

        Assert.Equal(StoreResult.ETagMismatch, await Store.TransactAsync(operations, default));

        Assert.Equal(a.ETag, (await AssertValueAsync("a", "1")).ETag);
        Assert.Equal(b.ETag, (await AssertValueAsync("b", "2")).ETag);
        Assert.Null(await Store.GetAsync("c", default));
    }

    [Fact]
    public async Task Transact_DeleteWithETagForMissingKey_AppliesNothing()
    {
        var a = await SetAndGetAsync("a", "1");

        Assert.Equal(StoreResult.ETagMismatch, await Store.TransactAsync([Set("a", "2", a.ETag), Delete("missing", UnusedETag)], default));

        Assert.Equal(a.ETag, (await AssertValueAsync("a", "1")).ETag);
    }

    [Fact]
    public async Task Transact_FirstWriteOnExistingKey_AppliesNothing()
    {
        await SetAndGetAsync("a", "1");

        await AssertFirstWriteConflictAsync(() => Store.TransactAsync([Set("c", "3"), Set("a", "2", concurrency: Concurrency.FirstWrite)], default));

        await AssertValueAsync("a", "1");
        Assert.Null(await Store.GetAsync("c", default));
    }

    [Fact]
    public async Task Transact_MalformedETag_AppliesNothing()
    {
        await SetAndGetAsync("a", "1");

        Assert.Equal(MalformedETagResult, await Store.TransactAsync([Set("c", "3"), Set("a", "2", MalformedETag)], default));

        await AssertValueAsync("a", "1");
        Assert.Null(await Store.GetAsync("c", default));
    }

    [Fact]
    public async Task Transact_SameETagUsedTwice_DependsOnWhenTheStoreChecks()
    {
        var a = await SetAndGetAsync("a", "1");

        var result = await Store.TransactAsync([Set("a", "2", a.ETag), Set("a", "3", a.ETag)], default);

        if (TransactionChecksAgainstStateBeforeIt)
        {
            Assert.Equal(StoreResult.Ok, result);
            await AssertValueAsync("a", "3");
        }
        else
        {
            Assert.Equal(StoreResult.ETagMismatch, result);
            Assert.Equal(a.ETag, (await AssertValueAsync("a", "1")).ETag);
        }
    }

    // ---- TTL ----

    [Fact]
    public async Task Set_WithTtl_ExpiresAfterIt()
    {
        Assert.Equal(StoreResult.Ok, await SetAsync("k", "1", ttl: TimeSpan.FromSeconds(10)));
        Assert.Equal(Start.AddSeconds(10), (await GetAsync("k")).ExpiresAt);

        Clock.Advance(TimeSpan.FromSeconds(9));
        await AssertValueAsync("k", "1");

        Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await Store.GetAsync("k", default));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task Set_WithoutPositiveTtl_NeverExpires(int? ttlSeconds)
    {
        Assert.Equal(StoreResult.Ok, await SetAsync("k", "1", ttl: ttlSeconds is { } s ? TimeSpan.FromSeconds(s) : null));
        Assert.Null((await GetAsync("k")).ExpiresAt);

        Clock.Advance(TimeSpan.FromDays(400));

        await AssertValueAsync("k", "1");
    }

    [Fact]
    public async Task Set_WithoutTtlAfterOneWithTtl_RemovesExpiry()
    {
        await SetAsync("k", "1", ttl: TimeSpan.FromSeconds(10));

        Assert.Equal(StoreResult.Ok, await SetAsync("k", "2"));
        Clock.Advance(TimeSpan.FromSeconds(11));

        var item = await AssertValueAsync("k", "2");
        Assert.Null(item.ExpiresAt);
    }

    [Fact]
    public async Task Set_WithDefaultTtl_AppliesOnlyWhenTtlIsNull()
    {
        var store = await CreateInitializedStoreAsync(new StoreSettings(DefaultTtl: TimeSpan.FromSeconds(30)));

        await store.SetAsync(new SetOperation("default", Json("1"), null, Concurrency.LastWrite, null), default);
        await store.SetAsync(new SetOperation("explicit", Json("1"), null, Concurrency.LastWrite, TimeSpan.FromSeconds(5)), default);
        await store.SetAsync(new SetOperation("never", Json("1"), null, Concurrency.LastWrite, TimeSpan.Zero), default);

        Assert.Equal(Start.AddSeconds(30), (await store.GetAsync("default", default))?.ExpiresAt);
        Assert.Equal(Start.AddSeconds(5), (await store.GetAsync("explicit", default))?.ExpiresAt);
        Assert.Null((await store.GetAsync("never", default))?.ExpiresAt);
        Assert.NotNull(await store.GetAsync("never", default));
    }

    [Fact]
    public async Task Set_FirstWriteWithoutETagOnExpiredKey_ReturnsOk()
    {
        await SetAsync("k", "1", ttl: TimeSpan.FromSeconds(10));
        Clock.Advance(TimeSpan.FromSeconds(11));

        Assert.Equal(StoreResult.Ok, await SetAsync("k", "2", concurrency: Concurrency.FirstWrite));

        var item = await AssertValueAsync("k", "2");
        Assert.Null(item.ExpiresAt);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Set_WithETagOfExpiredItem_ReturnsMismatch(bool firstWrite)
    {
        var concurrency = firstWrite ? Concurrency.FirstWrite : Concurrency.LastWrite;
        var expired = await SetAndGetAsync("k", "1", TimeSpan.FromSeconds(10));
        Clock.Advance(TimeSpan.FromSeconds(11));

        Assert.Equal(StoreResult.ETagMismatch, await SetAsync("k", "2", expired.ETag, concurrency));

        Assert.Null(await Store.GetAsync("k", default));
    }

    [Fact]
    public async Task Delete_WithETagOfExpiredItem_ReturnsStoreSpecificResult()
    {
        var expired = await SetAndGetAsync("k", "1", TimeSpan.FromSeconds(10));
        Clock.Advance(TimeSpan.FromSeconds(11));

        Assert.Equal(DeleteWithETagOfExpiredItemResult, await DeleteAsync("k", expired.ETag));

        Assert.Null(await Store.GetAsync("k", default));
    }

    [Fact]
    public async Task Transact_FirstWriteOnExpiredKey_ReturnsOk()
    {
        await SetAsync("k", "1", ttl: TimeSpan.FromSeconds(10));
        Clock.Advance(TimeSpan.FromSeconds(11));

        Assert.Equal(StoreResult.Ok, await Store.TransactAsync([Set("k", "2", concurrency: Concurrency.FirstWrite), Set("other", "2")], default));

        await AssertValueAsync("k", "2");
    }

    [Fact]
    public async Task CleanupExpired_RemovesExpiredItemsOnly()
    {
        await SetAsync("expired", "1", ttl: TimeSpan.FromSeconds(10));
        await SetAsync("later", "1", ttl: TimeSpan.FromSeconds(100));
        await SetAsync("never", "1");
        Clock.Advance(TimeSpan.FromSeconds(11));

        Assert.Equal(1, await CleanupExpiredAsync(Store));

        Assert.Equal(2, await CountStoredItemsAsync(Store));
        await AssertValueAsync("later", "1");
        await AssertValueAsync("never", "1");
    }

    [Fact]
    public async Task PeriodicCleanup_WhenIntervalElapses_RemovesExpiredItems()
    {
        var store = await CreateInitializedStoreAsync(new StoreSettings(CleanupInterval: TimeSpan.FromMinutes(1)));
        await store.SetAsync(new SetOperation("expired", Json("1"), null, Concurrency.LastWrite, TimeSpan.FromSeconds(10)), default);
        await store.SetAsync(new SetOperation("never", Json("1"), null, Concurrency.LastWrite, null), default);

        Clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(2, await CountStoredItemsAsync(store));

        Clock.Advance(TimeSpan.FromSeconds(1));

        // The timer callback only starts the cleanup; a database store finishes it asynchronously.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (await CountStoredItemsAsync(store) != 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, await CountStoredItemsAsync(store));
    }

    // ---- Concurrency ----

    [Fact]
    public async Task Set_ConcurrentWritersWithSameETag_ExactlyOneSucceeds()
    {
        var current = await SetAndGetAsync("k", "-1");
        var stores = await WriterStoresAsync();

        var results = await RaceAsync(20, i => stores[i % stores.Length].SetAsync(new SetOperation("k", Json(Number(i)), current.ETag, Concurrency.LastWrite, null), default));

        Assert.Equal(1, results.Count(r => r == Outcome.Ok));
        Assert.Equal(19, results.Count(r => r == Outcome.Mismatch));
        await AssertValueAsync("k", Number(Array.IndexOf(results, Outcome.Ok)));
    }

    [Fact]
    public async Task Set_ConcurrentFirstWritersOnMissingKey_ExactlyOneSucceeds()
    {
        var stores = await WriterStoresAsync();

        var results = await RaceAsync(20, i => stores[i % stores.Length].SetAsync(new SetOperation("k", Json(Number(i)), null, Concurrency.FirstWrite, null), default));

        Assert.Equal(1, results.Count(r => r == Outcome.Ok));
        Assert.Equal(19, results.Count(r => r == (FirstWriteConflictThrows ? Outcome.Threw : Outcome.Mismatch)));
        await AssertValueAsync("k", Number(Array.IndexOf(results, Outcome.Ok)));
    }

    [Fact]
    public async Task Transact_ConcurrentTransactionsWithSameETags_ExactlyOneSucceeds()
    {
        var a = await SetAndGetAsync("a", "-1");
        var b = await SetAndGetAsync("b", "-1");
        var stores = await WriterStoresAsync();

        var results = await RaceAsync(20, i => stores[i % stores.Length].TransactAsync(
            [Set("a", Number(i), a.ETag), Set("b", Number(i), b.ETag)],
            default));

        Assert.Equal(1, results.Count(r => r == Outcome.Ok));
        Assert.Equal(19, results.Count(r => r == Outcome.Mismatch));
        var winner = Number(Array.IndexOf(results, Outcome.Ok));
        await AssertValueAsync("a", winner);
        await AssertValueAsync("b", winner);
    }

    // ---- Helpers ----

    private protected sealed record StoreSettings(TimeSpan? DefaultTtl = null, TimeSpan? CleanupInterval = null);

    private protected enum Outcome
    {
        Ok,
        Mismatch,
        Invalid,
        Threw,
    }

    private protected async Task<IStateStore> CreateInitializedStoreAsync(StoreSettings settings)
    {
        var store = CreateStore(settings);
        _stores.Add(store);
        await store.InitAsync(default);
        return store;
    }

    private protected static byte[] Json(string json) => Encoding.UTF8.GetBytes(json);

    private protected static SetOperation Set(string key, string json, string? etag = null, Concurrency concurrency = Concurrency.LastWrite, TimeSpan? ttl = null) =>
        new(key, Json(json), etag, concurrency, ttl);

    private protected static DeleteOperation Delete(string key, string? etag = null, Concurrency concurrency = Concurrency.LastWrite) =>
        new(key, etag, concurrency);

    private protected Task<StoreResult> SetAsync(string key, string json, string? etag = null, Concurrency concurrency = Concurrency.LastWrite, TimeSpan? ttl = null) =>
        Store.SetAsync(Set(key, json, etag, concurrency, ttl), default);

    private protected Task<StoreResult> DeleteAsync(string key, string? etag, Concurrency concurrency = Concurrency.LastWrite) =>
        Store.DeleteAsync(Delete(key, etag, concurrency), default);

    private protected async Task<StateItem> GetAsync(string key) =>
        await Store.GetAsync(key, default) ?? throw new Xunit.Sdk.XunitException($"Key '{key}' is missing.");

    private protected async Task<StateItem> SetAndGetAsync(string key, string json, TimeSpan? ttl = null)
    {
        Assert.Equal(StoreResult.Ok, await SetAsync(key, json, ttl: ttl));
        return await GetAsync(key);
    }

    /// <summary>Asserts the stored JSON equals <paramref name="expectedJson"/> (stores may re-serialise it).</summary>
    private protected async Task<StateItem> AssertValueAsync(string key, string expectedJson)
    {
        var item = await GetAsync(key);
        var actual = Encoding.UTF8.GetString(item.Value);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expectedJson), JsonNode.Parse(actual)), $"Expected {expectedJson} under '{key}', found {actual}.");
        return item;
    }

    private async Task AssertFirstWriteConflictAsync(Func<Task<StoreResult>> write)
    {
        if (FirstWriteConflictThrows)
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(write);
            Assert.Equal("no item was updated", error.Message);
        }
        else
        {
            Assert.Equal(StoreResult.ETagMismatch, await write());
        }
    }

    private static string Number(int i) => i.ToString(CultureInfo.InvariantCulture);

    /// <summary>The test's store, plus a second store over the same data where the store kind allows one.</summary>
    private async Task<IStateStore[]> WriterStoresAsync() =>
        StoresShareData ? [Store, await CreateInitializedStoreAsync(new StoreSettings())] : [Store];

    private static async Task<Outcome[]> RaceAsync(int writers, Func<int, Task<StoreResult>> write)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, writers).Select(i => Task.Run(async () =>
        {
            await go.Task;
            try
            {
                return await write(i) switch
                {
                    StoreResult.Ok => Outcome.Ok,
                    StoreResult.ETagMismatch => Outcome.Mismatch,
                    _ => Outcome.Invalid,
                };
            }
            catch (InvalidOperationException)
            {
                return Outcome.Threw;
            }
        })).ToArray();
        go.SetResult();
        return await Task.WhenAll(tasks);
    }
}
