using Gateway.PoolService.Model;
using Gateway.PoolService.Services;
using Gateway.PoolService.Tests.Support;

namespace Gateway.PoolService.Tests.Services;

public sealed class BackendPickerTests
{
    private static BackendRecord Record(string id, int weight) =>
        RegistryRules.TryBackend(id, Samples.Backend(weight: weight), out var draft, out _) ? draft.Record : throw new InvalidOperationException();

    [Theory]
    [InlineData(1, 1, 0.5)]
    [InlineData(1, 3, 0.25)]
    [InlineData(9, 1, 0.9)]
    public void Order_PutsEachBackendFirst_InProportionToItsWeight(int weightA, int weightB, double expectedShareOfA)
    {
        var picker = new BackendPicker(new Random(42));
        BackendRecord[] backends = [Record("a", weightA), Record("b", weightB)];
        const int draws = 20_000;

        var firstA = Enumerable.Range(0, draws).Count(_ => picker.Order(backends)[0].Id == "a");

        Assert.Equal(expectedShareOfA, (double)firstA / draws, tolerance: 0.015);
    }

    [Fact]
    public void Order_IsAPermutation_AndTheSameSeedGivesTheSameOrder()
    {
        BackendRecord[] backends = [Record("a", 1), Record("b", 2), Record("c", 3), Record("d", 4)];

        var first = new BackendPicker(new Random(7)).Order(backends).Select(b => b.Id).ToList();
        var again = new BackendPicker(new Random(7)).Order(backends).Select(b => b.Id).ToList();

        Assert.Equal(first, again);
        Assert.Equal(["a", "b", "c", "d"], first.Order(StringComparer.Ordinal));
    }
}
