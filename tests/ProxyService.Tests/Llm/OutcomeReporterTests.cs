using System.Diagnostics.Metrics;
using Gateway.ProxyService.Services.Llm;
using Gateway.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.ProxyService.Tests.Llm;

/// <summary>The queue between answered calls and PoolService, with a sidecar that is not there (every report fails fast).</summary>
public sealed class OutcomeReporterTests
{
    private static readonly Lease Lease = new("lease-1", "b1", "http://127.0.0.1:1/v1", "m", "m", null, 10, "primary");

    [Fact]
    public async Task Queued_ShowsInTheGauge_AndDrainsOnceStarted()
    {
        await using var provider = Services();
        var reporter = provider.GetRequiredService<OutcomeReporter>();
        using var gauge = new QueueGauge();

        for (var i = 0; i < 3; i++)
        {
            await reporter.EnqueueAsync(Lease, new CallOutcome($"lease-{i}", CallOutcome.Success, 5, "m"));
        }

        Assert.Equal(3, gauge.Read());

        await reporter.StartAsync(CancellationToken.None);

        await Eventually.HoldsAsync(() => gauge.Read() == 0, "the queue drained");
        await reporter.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Stopped_ReportsDirectlyInsteadOfQueueing()
    {
        await using var provider = Services();
        var reporter = provider.GetRequiredService<OutcomeReporter>();
        using var gauge = new QueueGauge();
        await reporter.StartAsync(CancellationToken.None);
        await reporter.StopAsync(CancellationToken.None);

        await reporter.EnqueueAsync(Lease, new CallOutcome("late", CallOutcome.Success, 5, "m")).AsTask().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(0, gauge.Read());
    }

    private static ServiceProvider Services()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["DAPR_HTTP_ENDPOINT"] = $"http://127.0.0.1:{FreePort.Next()}" })
            .Build());
        services.AddOptions<LlmOptions>().Configure(o => o.PoolTimeout = TimeSpan.FromSeconds(2));
        PoolClient.Register(services);
        services.AddSingleton<OutcomeReporter>();
        return services.BuildServiceProvider();
    }

    /// <summary>Reads <see cref="OutcomeReporter.QueuedInstrument"/> of the provider built in the test.</summary>
    private sealed class QueueGauge : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _value = -1;

        public QueueGauge()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == OutcomeReporter.QueuedInstrument)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((_, value, _, _) => _value = value);
            _listener.Start();
        }

        public long Read()
        {
            _value = -1;
            _listener.RecordObservableInstruments();
            return _value;
        }

        public void Dispose() => _listener.Dispose();
    }
}
