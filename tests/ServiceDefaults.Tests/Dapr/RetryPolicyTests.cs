using System.Net;
using Gateway.ServiceDefaults.Dapr;
using Gateway.ServiceDefaults.Tests.Dapr.Support;
using Gateway.Testing;
using Microsoft.AspNetCore.Http;

namespace Gateway.ServiceDefaults.Tests.Dapr;

/// <summary>
/// Which calls the client repeats, counted at a fake sidecar that fails on cue (two retries
/// configured: a retried call is seen three times, a call sent once is seen once).
/// </summary>
public sealed class RetryPolicyTests
{
    private const string Store = "statestore";

    public static TheoryData<string, int> StateCalls => new()
    {
        { "get", 3 },
        { "bulk-get", 3 },
        { "save", 3 },
        { "delete", 3 },
        { "try-save-etag", 1 },
        { "try-save-first-write", 1 },
        { "try-delete", 1 },
        { "transaction", 1 },
    };

    [Theory]
    [MemberData(nameof(StateCalls))]
    public async Task StateCall_Sidecar503_RetriedOnlyWhenSafe(string call, int expectedRequests)
    {
        await using var fake = await FakeSidecar.StartAsync((context, _) => FakeSidecar.DaprError(context, 503, "ERR_UNAVAILABLE"));
        using var clients = new TestDaprClients(fake.Endpoint);

        var outcome = await RunStateCallAsync(clients.State, call);

        Assert.Equal(expectedRequests, fake.Requests.Count);
        if (outcome is { } result)
        {
            Assert.Equal(StateWriteOutcome.Unknown, result.Outcome);
            Assert.Equal(StateWriteFailure.SidecarError, result.Failure);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, result.StatusCode);
        }
    }

    [Theory]
    [MemberData(nameof(StateCalls))]
    public async Task StateCall_ConnectionDropped_RetriedOnlyWhenSafe_ConditionalWritesReportNoAnswer(string call, int expectedRequests)
    {
        await using var fake = await FakeSidecar.StartAsync((context, _) =>
        {
            context.Abort();
            return Task.CompletedTask;
        });
        using var clients = new TestDaprClients(fake.Endpoint);

        var outcome = await RunStateCallAsync(clients.State, call, expectNoAnswer: true);

        Assert.Equal(expectedRequests, fake.Requests.Count);
        if (outcome is { } result)
        {
            Assert.Equal(StateWriteOutcome.Unknown, result.Outcome);
            Assert.Equal(StateWriteFailure.NoAnswer, result.Failure);
            Assert.Null(result.StatusCode);
        }
    }

    [Theory]
    [MemberData(nameof(StateCalls))]
    public async Task StateCall_AttemptTimesOut_RetriedOnlyWhenSafe_ConditionalWritesReportNoAnswer(string call, int expectedRequests)
    {
        await using var fake = await FakeSidecar.StartAsync((context, _) => Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted));
        using var clients = new TestDaprClients(fake.Endpoint, configure: o => o.AttemptTimeout = TimeSpan.FromMilliseconds(150));

        var outcome = await RunStateCallAsync(clients.State, call, expectNoAnswer: true);

        Assert.Equal(expectedRequests, fake.Requests.Count);
        if (outcome is { } result)
        {
            Assert.Equal(StateWriteFailure.NoAnswer, result.Failure);
            Assert.Contains("150 ms", result.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(500, "ERR_STATE_GET", 3)]
    [InlineData(500, null, 3)]
    [InlineData(502, null, 3)]
    [InlineData(504, null, 3)]
    [InlineData(500, "ERR_STATE_STORE_NOT_CONFIGURED", 1)]
    [InlineData(400, "ERR_STATE_STORE_NOT_FOUND", 1)]
    [InlineData(404, null, 1)]
    [InlineData(429, null, 1)]
    public async Task GetState_RetriesOnlyTransientAnswers(int status, string? errorCode, int expectedRequests)
    {
        await using var fake = await FakeSidecar.StartAsync((context, _) =>
        {
            if (errorCode is null)
            {
                context.Response.StatusCode = status;
                return Task.CompletedTask;
            }

            return FakeSidecar.DaprError(context, status, errorCode);
        });
        using var clients = new TestDaprClients(fake.Endpoint);

        var error = await Assert.ThrowsAsync<DaprApiException>(() => clients.State.GetStateAsync<Account>(Store, "k"));

        Assert.Equal(expectedRequests, fake.Requests.Count);
        Assert.Equal((HttpStatusCode)status, error.StatusCode);
        Assert.Equal(errorCode, error.ErrorCode);
    }

    [Fact]
    public async Task GetState_TransientFailureThenSuccess_ReturnsTheValue()
    {
        await using var fake = await FakeSidecar.StartAsync((context, n) =>
        {
            if (n == 1)
            {
                return FakeSidecar.DaprError(context, 500, "ERR_STATE_GET", "database is locked");
            }

            context.Response.Headers.ETag = "7";
            return context.Response.WriteAsync("""{"accountId":"a","balance":3}""");
        });
        using var clients = new TestDaprClients(fake.Endpoint);

        var entry = await clients.State.GetStateAsync<Account>(Store, "k");

        Assert.Equal(new StateEntry<Account>("k", new Account("a", 3), "7"), entry);
        Assert.Equal(2, fake.Requests.Count);
    }

    [Fact]
    public async Task Retry_Backoff_IsDrivenByTheTimeProvider_ExponentialWithJitterAndBounded()
    {
        await using var fake = await FakeSidecar.StartAsync((context, _) => FakeSidecar.DaprError(context, 503, "ERR_UNAVAILABLE"));
        var time = new RecordingTimeProvider();
        using var clients = new TestDaprClients(
            fake.Endpoint,
            configure: o =>
            {
                o.MaxRetryAttempts = 4;
                o.RetryDelay = TimeSpan.FromSeconds(10);
                o.RetryMaxDelay = TimeSpan.FromSeconds(25);
                o.AttemptTimeout = Timeout.InfiniteTimeSpan;
            },
            time: time);
        var started = DateTime.UtcNow;

        await Assert.ThrowsAsync<DaprApiException>(() => clients.State.GetStateAsync<Account>(Store, "k"));

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "the backoff waited in real time");
        Assert.Equal(5, fake.Requests.Count);
        Assert.Equal(4, time.Delays.Count);
        Assert.All(time.Delays, d => Assert.InRange(d, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(25)));
        Assert.True(time.Delays.Distinct().Count() > 1, "jitter should spread the delays");
    }

    [Fact]
    public async Task GetState_CallerCancelsDuringBackoff_ThrowsOperationCanceled()
    {
        await using var fake = await FakeSidecar.StartAsync((context, _) => FakeSidecar.DaprError(context, 503, "ERR_UNAVAILABLE"));
        using var clients = new TestDaprClients(fake.Endpoint, configure: o => o.RetryDelay = o.RetryMaxDelay = TimeSpan.FromSeconds(30));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => clients.State.GetStateAsync<Account>(Store, "k", cancel.Token));
        Assert.Single(fake.Requests);
    }

    [Fact]
    public async Task GetState_SidecarStartsLate_SucceedsWithinTheRetryBudget()
    {
        using var folder = new TempFolder("sd-late");
        var resources = Directory.CreateDirectory(folder.Combine("resources")).FullName;
        await File.WriteAllTextAsync(Path.Combine(resources, "store.yaml"), ComponentYaml.StateStore(StateStoreKind.InMemory, Store));
        var port = FreePort.Next();
        using var clients = new TestDaprClients(
            new Uri($"http://127.0.0.1:{port}"),
            configure: o =>
            {
                o.MaxRetryAttempts = 10;
                o.RetryDelay = TimeSpan.FromMilliseconds(250);
                o.RetryMaxDelay = TimeSpan.FromSeconds(2);
            });
        using var telemetry = new CapturedTelemetry();

        var get = clients.State.GetStateAsync<Account>(Store, TestKeys.New());
        await Task.Delay(300);
        Assert.False(get.IsCompleted, "the get should still be retrying while no sidecar listens");
        await using var sidecar = await SidecarProcess.StartAsync("sd-late", resources, Directory.CreateDirectory(folder.Combine("registry")).FullName, httpPort: port);

        Assert.Null(await get);
        var activity = Assert.Single(telemetry.Activities, a => a.OperationName == "Dapr state.get");
        Assert.True((int)activity.GetTagItem("dapr.attempts")! > 1);
    }

    [Fact]
    public async Task TrySaveState_SidecarNotListening_IsSentOnceAndReportsNoAnswer()
    {
        using var clients = new TestDaprClients(new Uri($"http://127.0.0.1:{FreePort.Next()}"));
        using var telemetry = new CapturedTelemetry();

        var result = await clients.State.TrySaveStateAsync(Store, "k", new Account("a", 1), etag: "1");

        Assert.Equal(StateWriteOutcome.Unknown, result.Outcome);
        Assert.Equal(StateWriteFailure.NoAnswer, result.Failure);
        var activity = Assert.Single(telemetry.Activities, a => a.OperationName == "Dapr state.try_save");
        Assert.Equal(1, activity.GetTagItem("dapr.attempts"));
    }

    /// <summary>Runs one state call; returns the write result of a Try call, or null after asserting a throwing call threw.</summary>
    private static async Task<StateWriteResult?> RunStateCallAsync(DaprStateClient state, string call, bool expectNoAnswer = false)
    {
        async Task Throws(Func<Task> action)
        {
            var error = await Assert.ThrowsAsync<DaprApiException>(action);
            if (expectNoAnswer)
            {
                Assert.Null(error.StatusCode);
                Assert.NotNull(error.InnerException);
            }
            else
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
                Assert.Equal("ERR_UNAVAILABLE", error.ErrorCode);
            }
        }

        switch (call)
        {
            case "get":
                await Throws(() => state.GetStateAsync<Account>(Store, "k"));
                return null;
            case "bulk-get":
                await Throws(() => state.GetBulkStateAsync<Account>(Store, ["k"]));
                return null;
            case "save":
                await Throws(() => state.SaveStateAsync(Store, "k", new Account("a", 1)));
                return null;
            case "delete":
                await Throws(() => state.DeleteStateAsync(Store, "k"));
                return null;
            case "try-save-etag":
                return await state.TrySaveStateAsync(Store, "k", new Account("a", 1), "1");
            case "try-save-first-write":
                return await state.TrySaveStateAsync(Store, "k", new Account("a", 1), etag: null);
            case "try-delete":
                return await state.TryDeleteStateAsync(Store, "k", "1");
            case "transaction":
                return await state.TryExecuteStateTransactionAsync(Store, [StateTransactionOperation.Upsert("k", new Account("a", 1), concurrency: StateConcurrency.LastWrite)]);
            default:
                throw new ArgumentOutOfRangeException(nameof(call), call, null);
        }
    }
}
