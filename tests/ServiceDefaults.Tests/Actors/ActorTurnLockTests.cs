using Gateway.ServiceDefaults.Actors;

namespace Gateway.ServiceDefaults.Tests.Actors;

/// <summary>One turn at a time, in arrival order; a call of the holding chain joins instead of waiting.</summary>
public sealed class ActorTurnLockTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task EnterAsync_WhileHeld_WaitsUntilReleased()
    {
        var gate = new ActorTurnLock();
        var first = await gate.EnterAsync(null, 32, CancellationToken.None);

        var second = gate.EnterAsync(null, 32, CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(second.IsCompleted);

        first!.Dispose();
        using var turn = await second.WaitAsync(Wait);
        Assert.True(turn!.IsOutermost);
    }

    [Fact]
    public async Task EnterAsync_Waiters_GetTheTurnInArrivalOrder()
    {
        var gate = new ActorTurnLock();
        var order = new List<int>();
        var held = await gate.EnterAsync(null, 32, CancellationToken.None);

        // Each call queues before it returns, so they arrive in loop order.
        var waiters = Enumerable.Range(1, 5).Select(i => TakeTurnAsync(gate, () => order.Add(i))).ToList();
        held!.Dispose();
        await Task.WhenAll(waiters).WaitAsync(Wait);

        Assert.Equal([1, 2, 3, 4, 5], order);
    }

    private static async Task TakeTurnAsync(ActorTurnLock gate, Action inTurn)
    {
        using var turn = await gate.EnterAsync(null, 32, CancellationToken.None);
        inTurn();
        await Task.Yield();
    }

    [Fact]
    public async Task EnterAsync_SameReentrancyId_JoinsTheHeldTurn()
    {
        var gate = new ActorTurnLock();
        using var outer = await gate.EnterAsync("chain-1", 32, CancellationToken.None);

        using var inner = await gate.EnterAsync("chain-1", 32, CancellationToken.None).AsTask().WaitAsync(Wait);

        Assert.True(outer!.IsOutermost);
        Assert.False(inner!.IsOutermost);
    }

    [Fact]
    public async Task EnterAsync_OtherReentrancyId_Waits()
    {
        var gate = new ActorTurnLock();
        var outer = await gate.EnterAsync("chain-1", 32, CancellationToken.None);

        var other = gate.EnterAsync("chain-2", 32, CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(other.IsCompleted);

        outer!.Dispose();
        using var turn = await other.WaitAsync(Wait);
        Assert.True(turn!.IsOutermost);
    }

    [Fact]
    public async Task EnterAsync_JoinedTurns_ReleaseOnlyWhenTheOutermostEnds()
    {
        var gate = new ActorTurnLock();
        var outer = await gate.EnterAsync("chain-1", 32, CancellationToken.None);
        var inner = await gate.EnterAsync("chain-1", 32, CancellationToken.None);

        inner!.Dispose();
        var next = gate.EnterAsync(null, 32, CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(next.IsCompleted);

        outer!.Dispose();
        using var turn = await next.WaitAsync(Wait);
        Assert.NotNull(turn);
    }

    [Fact]
    public async Task EnterAsync_BeyondMaxDepth_ReturnsNull()
    {
        var gate = new ActorTurnLock();
        using var first = await gate.EnterAsync("chain-1", 2, CancellationToken.None);
        using var second = await gate.EnterAsync("chain-1", 2, CancellationToken.None);

        var third = await gate.EnterAsync("chain-1", 2, CancellationToken.None);

        Assert.NotNull(second);
        Assert.Null(third);
    }

    [Fact]
    public async Task EnterAsync_Cancelled_GivesUpWithoutTakingTheTurn()
    {
        var gate = new ActorTurnLock();
        var held = await gate.EnterAsync(null, 32, CancellationToken.None);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gate.EnterAsync(null, 32, cancellation.Token).AsTask());

        held!.Dispose();
        using var turn = await gate.EnterAsync(null, 32, CancellationToken.None).AsTask().WaitAsync(Wait);
        Assert.NotNull(turn);
    }
}
