using Dapr;
using Gateway.ServiceDefaults.Dapr;
using Gateway.ServiceDefaults.Tests.Dapr.Support;
using Gateway.Testing;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using Wire = Dapr.Client.Autogen.Grpc.v1;

namespace Gateway.ServiceDefaults.Tests.Dapr;

/// <summary>
/// Which state calls the adapter repeats and bounds (the SDK does neither), counted at a fake gRPC
/// sidecar that fails on cue (two retries configured: a retried call is seen three times, a call
/// sent once is seen once).
/// </summary>
public sealed class StateCallRetryTests
{
    private const string Store = "statestore";

    public static TheoryData<StateCall, int> StateCalls => new()
    {
        { StateCall.Get, 3 },
        { StateCall.BulkGet, 3 },
        { StateCall.Save, 3 },
        { StateCall.Delete, 3 },
        { StateCall.TrySaveWithETag, 1 },
        { StateCall.TrySaveFirstWrite, 1 },
        { StateCall.TryDelete, 1 },
        { StateCall.Transaction, 1 },
    };

    public enum StateCall
    {
        Get,
        BulkGet,
        Save,
        Delete,
        TrySaveWithETag,
        TrySaveFirstWrite,
        TryDelete,
        Transaction,
    }

    [Theory]
    [MemberData(nameof(StateCalls))]
    public async Task StateCall_StoreFailsWithInternal_RetriedOnlyWhenSafe(StateCall call, int expectedRequests)
    {
        await using var fake = await FakeSidecar.StartGrpcAsync((context, _) => FakeSidecar.GrpcError(context, StatusCode.Internal, "ERR_STATE_GET", "database is locked"));
        using var clients = new TestDaprClients(fake.Endpoint);

        var outcome = await RunAsync(clients.State, call, failure => Assert.Equal(StatusCode.Internal, failure?.StatusCode));

        Assert.Equal(expectedRequests, fake.Requests.Count);
        if (outcome is { } result)
        {
            Assert.Equal(StateWriteOutcome.Unknown, result.Outcome);
            Assert.Equal(StateWriteFailure.SidecarError, result.Failure);
            Assert.Equal(StatusCode.Internal, result.StatusCode);
            Assert.Equal("ERR_STATE_GET", result.ErrorCode);
        }
    }

    [Theory]
    [MemberData(nameof(StateCalls))]
    public async Task StateCall_AttemptTimesOut_RetriedOnlyWhenSafe_ConditionalWritesReportNoAnswer(StateCall call, int expectedRequests)
    {
        await using var fake = await FakeSidecar.StartGrpcAsync((context, _) => Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted));
        var clock = new FakeTimeProvider();
        using var clients = new TestDaprClients(
            fake.Endpoint,
            configure: o =>
            {
                o.AttemptTimeout = TimeSpan.FromSeconds(10);
                o.RetryDelay = TimeSpan.Zero;
            },
            time: clock);

        var run = RunAsync(clients.State, call, failure => Assert.Null(failure));

        // Each attempt's time runs out on the manual clock once the attempt has reached the sidecar.
        var timedOut = 0;
        await Eventually.HoldsAsync(
            () =>
            {
                if (!run.IsCompleted && fake.Requests.Count > timedOut)
                {
                    timedOut++;
                    clock.Advance(TimeSpan.FromSeconds(10));
                }

                return run.IsCompleted;
            },
            "the call ends after its attempts time out");
        var outcome = await run;

        Assert.Equal(expectedRequests, fake.Requests.Count);
        if (outcome is { } result)
        {
            Assert.Equal(StateWriteFailure.NoAnswer, result.Failure);
            Assert.Null(result.StatusCode);
            Assert.Contains("10000 ms", result.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(StateCalls))]
    public async Task StateCall_SidecarNotListening_RetriedOnlyWhenSafe_ConditionalWritesReportNoAnswer(StateCall call, int expectedRequests)
    {
        _ = expectedRequests;
        using var clients = new TestDaprClients(new Uri($"http://127.0.0.1:{FreePort.Next()}"));

        var outcome = await RunAsync(clients.State, call, failure => Assert.Equal(StatusCode.Unavailable, failure?.StatusCode));

        if (outcome is { } result)
        {
            Assert.Equal(StateWriteOutcome.Unknown, result.Outcome);
            Assert.Equal(StateWriteFailure.NoAnswer, result.Failure);
        }
    }

    [Theory]
    [InlineData(StatusCode.Internal, "ERR_STATE_GET", 3)]
    [InlineData(StatusCode.Unavailable, null, 3)]
    [InlineData(StatusCode.Unknown, null, 3)]
    [InlineData(StatusCode.FailedPrecondition, "DAPR_STATE_NOT_CONFIGURED", 1)]
    [InlineData(StatusCode.InvalidArgument, "DAPR_STATE_NOT_FOUND", 1)]
    [InlineData(StatusCode.Unauthenticated, "Unauthorized", 1)]
    [InlineData(StatusCode.ResourceExhausted, null, 1)]
    public async Task GetState_RetriesOnlyTransientAnswers(StatusCode status, string? reason, int expectedRequests)
    {
        await using var fake = await FakeSidecar.StartGrpcAsync((context, _) => FakeSidecar.GrpcError(context, status, reason));
        using var clients = new TestDaprClients(fake.Endpoint);

        var error = await Assert.ThrowsAsync<DaprException>(() => clients.State.GetStateAsync<Account>(Store, "k"));

        var failure = SidecarFailure.Of(error);
        Assert.Equal(status, failure?.StatusCode);
        Assert.Equal(reason, failure?.Reason);
        Assert.Equal(expectedRequests, fake.Requests.Count);
    }

    [Fact]
    public async Task GetState_SidecarDeadlineExceeded_IsRetried_ThenReportedAsNoAnswer()
    {
        await using var fake = await FakeSidecar.StartGrpcAsync((context, _) => FakeSidecar.GrpcError(context, StatusCode.DeadlineExceeded, null));
        using var clients = new TestDaprClients(fake.Endpoint);

        var error = await Assert.ThrowsAsync<DaprException>(() => clients.State.GetStateAsync<Account>(Store, "k"));
        var write = await clients.State.TrySaveStateAsync(Store, "k", new Account("a", 1), etag: null);

        Assert.IsAssignableFrom<OperationCanceledException>(error.InnerException);
        Assert.Equal(StateWriteFailure.NoAnswer, write.Failure);
        Assert.Equal(4, fake.Requests.Count);
    }

    [Fact]
    public async Task GetState_TransientFailureThenSuccess_ReturnsTheValue()
    {
        await using var fake = await FakeSidecar.StartGrpcAsync((context, n) => n == 1
            ? FakeSidecar.GrpcError(context, StatusCode.Internal, "ERR_STATE_GET", "database is locked")
            : FakeSidecar.GrpcAnswer(context, new Wire.GetStateResponse { Data = Google.Protobuf.ByteString.CopyFromUtf8("""{"accountId":"a","balance":3}"""), Etag = "7" }));
        using var clients = new TestDaprClients(fake.Endpoint);

        var entry = await clients.State.GetStateAsync<Account>(Store, "k");

        Assert.Equal(new Gateway.ServiceDefaults.Dapr.StateEntry<Account>("k", new Account("a", 3), "7"), entry);
        Assert.Equal(2, fake.Requests.Count);
        Assert.All(fake.Requests, r => Assert.Equal("POST /dapr.proto.runtime.v1.Dapr/GetState", r));
    }

    [Fact]
    public async Task GetBulkState_StoreFailedOneKey_ThrowsInsteadOfReportingItMissing()
    {
        await using var fake = await FakeSidecar.StartGrpcAsync((context, _) => FakeSidecar.GrpcAnswer(context, new Wire.GetBulkStateResponse
        {
            Items =
            {
                new Wire.BulkStateItem { Key = "a", Data = Google.Protobuf.ByteString.CopyFromUtf8("""{"accountId":"a","balance":1}"""), Etag = "1" },
                new Wire.BulkStateItem { Key = "b", Error = "connection refused" },
                new Wire.BulkStateItem { Key = "c" },
            },
        }));
        using var clients = new TestDaprClients(fake.Endpoint);

        var error = await Assert.ThrowsAsync<DaprException>(() => clients.State.GetBulkStateAsync<Account>(Store, ["a", "b", "c"]));
        var found = await clients.State.GetBulkStateAsync<Account>(Store, ["a", "c"]);

        Assert.Contains("connection refused", error.Message, StringComparison.Ordinal);
        Assert.Equal([new BulkStateItem<Account>("a", true, new Account("a", 1), "1"), new BulkStateItem<Account>("c", false, null, null)], found);
    }

    [Fact]
    public async Task Retry_Backoff_IsDrivenByTheTimeProvider_ExponentialWithJitterAndBounded()
    {
        await using var fake = await FakeSidecar.StartGrpcAsync((context, _) => FakeSidecar.GrpcError(context, StatusCode.Unavailable, null));
        var clock = new RecordingTimeProvider();
        using var clients = new TestDaprClients(
            fake.Endpoint,
            configure: o =>
            {
                o.MaxRetryAttempts = 4;
                o.RetryDelay = TimeSpan.FromMinutes(1);
                o.RetryMaxDelay = TimeSpan.FromMinutes(2);
                o.AttemptTimeout = Timeout.InfiniteTimeSpan;
            },
            time: clock);

        // The delays are minutes long: the call ends only because the clock's timers fire at once.
        await Assert.ThrowsAsync<DaprException>(() => clients.State.GetStateAsync<Account>(Store, "k"));

        Assert.Equal(5, fake.Requests.Count);
        Assert.Equal(4, clock.Delays.Count);
        Assert.All(clock.Delays, d => Assert.InRange(d, TimeSpan.FromTicks(1), TimeSpan.FromMinutes(2)));
        Assert.True(clock.Delays.Distinct().Count() > 1, "jitter should spread the delays");
    }

    [Fact]
    public async Task GetState_CallerCancelsDuringBackoff_ThrowsOperationCanceled()
    {
        await using var fake = await FakeSidecar.StartGrpcAsync((context, _) => FakeSidecar.GrpcError(context, StatusCode.Unavailable, null));
        var clock = new FakeTimeProvider();
        using var clients = new TestDaprClients(fake.Endpoint, configure: o => o.RetryDelay = o.RetryMaxDelay = TimeSpan.FromSeconds(30), time: clock);
        using var cancel = new CancellationTokenSource();

        var get = clients.State.GetStateAsync<Account>(Store, "k", cancel.Token);
        await Eventually.HoldsAsync(() => fake.Requests.Count == 1, "the first attempt reaches the sidecar");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => get);
        Assert.Single(fake.Requests);
    }

    [Fact]
    public async Task GetState_SidecarStartsLate_SucceedsWithinTheRetryBudget()
    {
        using var folder = new TempFolder("sd-late");
        var resources = Directory.CreateDirectory(folder.Combine("resources")).FullName;
        await File.WriteAllTextAsync(Path.Combine(resources, "store.yaml"), ComponentYaml.StateStore(StateStoreKind.InMemory, Store));
        var port = FreePort.Next();
        var clock = new TimerCountingClock();
        using var clients = new TestDaprClients(
            new Uri($"http://127.0.0.1:{port}"),
            configure: o =>
            {
                o.MaxRetryAttempts = 10;
                o.RetryDelay = TimeSpan.FromMilliseconds(250);
                o.RetryMaxDelay = TimeSpan.FromSeconds(2);
                o.AttemptTimeout = Timeout.InfiniteTimeSpan;
            },
            time: clock);

        var get = clients.State.GetStateAsync<Account>(Store, TestKeys.New());
        await Eventually.HoldsAsync(() => clock.TimersCreated > 0, "the first attempt fails and the retry backs off");
        await using var sidecar = await SidecarProcess.StartAsync("sd-late", resources, Directory.CreateDirectory(folder.Combine("registry")).FullName, grpcPort: port);

        Assert.Null(await get);
    }

    /// <summary>Runs one state call; returns the write result of a Try call, or null after checking the failure a throwing call threw.</summary>
    private static async Task<StateWriteResult?> RunAsync(StateStoreClient state, StateCall call, Action<SidecarFailure?> checkThrown)
    {
        async Task<StateWriteResult?> Throws(Func<Task> action)
        {
            checkThrown(SidecarFailure.Of(await Assert.ThrowsAsync<DaprException>(action)));
            return null;
        }

        return call switch
        {
            StateCall.Get => await Throws(() => state.GetStateAsync<Account>(Store, "k")),
            StateCall.BulkGet => await Throws(() => state.GetBulkStateAsync<Account>(Store, ["k"])),
            StateCall.Save => await Throws(() => state.SaveStateAsync(Store, "k", new Account("a", 1))),
            StateCall.Delete => await Throws(() => state.DeleteStateAsync(Store, "k")),
            StateCall.TrySaveWithETag => await state.TrySaveStateAsync(Store, "k", new Account("a", 1), "1"),
            StateCall.TrySaveFirstWrite => await state.TrySaveStateAsync(Store, "k", new Account("a", 1), etag: null),
            StateCall.TryDelete => await state.TryDeleteStateAsync(Store, "k", "1"),
            StateCall.Transaction => await state.TryExecuteStateTransactionAsync(Store, [StateTransactionOperation.Upsert("k", new Account("a", 1), concurrency: StateConcurrency.LastWrite)]),
            _ => throw new ArgumentOutOfRangeException(nameof(call), call, null),
        };
    }

    /// <summary>The system clock, counting the timers asked of it: a retry's backoff is one.</summary>
    private sealed class TimerCountingClock : TimeProvider
    {
        private int _timers;

        public int TimersCreated => Volatile.Read(ref _timers);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _timers);
            return System.CreateTimer(callback, state, dueTime, period);
        }
    }
}
