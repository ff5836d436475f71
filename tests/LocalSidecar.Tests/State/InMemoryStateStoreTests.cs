using Gateway.LocalSidecar.State;

namespace Gateway.LocalSidecar.Tests.State;

public sealed class InMemoryStateStoreTests : StateStoreContractTests
{
    private protected override string UnusedETag => Guid.NewGuid().ToString();

    // Dapr's in-memory store applies first-write to deletes too.
    private protected override StoreResult DeleteFirstWriteWithoutETagOnExistingKeyResult => StoreResult.ETagMismatch;

    private protected override StoreResult DeleteWithETagOfExpiredItemResult => StoreResult.ETagMismatch;

    private protected override bool TransactionChecksAgainstStateBeforeIt => true;

    private protected override bool StoresShareData => false;

    private protected override IStateStore CreateStore(StoreSettings settings) =>
        new InMemoryStateStore(new InMemoryStateStoreOptions { DefaultTtl = settings.DefaultTtl, CleanupInterval = settings.CleanupInterval ?? TimeSpan.Zero }, Clock);

    private protected override Task<int> CountStoredItemsAsync(IStateStore store) => Task.FromResult(((InMemoryStateStore)store).Count);

    private protected override Task<int> CleanupExpiredAsync(IStateStore store) => Task.FromResult(((InMemoryStateStore)store).CleanupExpired());

    [Fact]
    public void Options_Default_CleanUpEverySecondAsDaprDoes()
    {
        var options = new InMemoryStateStoreOptions();

        Assert.Equal(TimeSpan.FromSeconds(1), options.CleanupInterval);
        Assert.Null(options.DefaultTtl);
    }

    [Fact]
    public async Task Get_ReturnedValue_IsACopy()
    {
        await SetAndGetAsync("k", "1");

        (await GetAsync("k")).Value[0] = (byte)'2';

        await AssertValueAsync("k", "1");
    }
}
