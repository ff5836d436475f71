using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gateway.ServiceDefaults.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.ServiceDefaults.Tests.Dapr.Support;

/// <summary>
/// The Dapr client's Activities started under this object's own trace, and the measurements of
/// meters created by its <see cref="MeterFactory"/>, so tests running in parallel do not see each
/// other's telemetry.
/// </summary>
internal sealed class CapturedTelemetry : IDisposable
{
    private static readonly ActivitySource TestSource = new("Gateway.ServiceDefaults.Tests");

    private readonly ActivityListener _activities;
    private readonly MeterListener _meters = new();
    private readonly ServiceProvider _services;
    private readonly Activity _root;
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();

    public CapturedTelemetry()
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name is GatewayTelemetry.DaprClient or "Gateway.ServiceDefaults.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == GatewayTelemetry.DaprClient && activity.TraceId == _root?.TraceId)
                {
                    _stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_activities);
        _root = TestSource.StartActivity("test", ActivityKind.Internal, parentContext: default)!;

        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        MeterFactory = _services.GetRequiredService<IMeterFactory>();
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == MeterFactory)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.Start();
    }

    public IMeterFactory MeterFactory { get; }

    public IReadOnlyList<Activity> Activities => [.. _stopped];

    public IReadOnlyList<(string Instrument, double Value, Dictionary<string, object?> Tags)> Measurements => [.. _measurements];

    public void Dispose()
    {
        _root.Dispose();
        _activities.Dispose();
        _meters.Dispose();
        _services.Dispose();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, tag) in tags)
        {
            copy[name] = tag;
        }

        _measurements.Enqueue((instrument.Name, value, copy));
    }
}
