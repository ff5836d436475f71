using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Gateway.ServiceDefaults.Telemetry;

namespace Gateway.ServiceDefaults.Dapr;

/// <summary>
/// One Activity per sidecar call and the call metrics, both named <see cref="GatewayTelemetry.DaprClient"/>.
/// Tags name the operation, store or app id, outcome and status, never keys, values or headers.
/// </summary>
internal sealed class DaprClientTelemetry : IDisposable
{
    public const string CallsName = "gateway.dapr.client.calls";
    public const string DurationName = "gateway.dapr.client.call.duration";
    public const string RetriesName = "gateway.dapr.client.retries";
    public const string OperationTag = "dapr.operation";
    public const string OutcomeTag = "dapr.outcome";
    public const string StoreTag = "dapr.store";
    public const string AppIdTag = "dapr.app_id";
    public const string AttemptsTag = "dapr.attempts";
    public const string ErrorCodeTag = "dapr.error_code";

    private static readonly ActivitySource Source = new(GatewayTelemetry.DaprClient);

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _calls;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _retries;
    private readonly TimeProvider _time;

    public DaprClientTelemetry(IMeterFactory? meterFactory, TimeProvider time)
    {
        _time = time;
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(GatewayTelemetry.DaprClient) ?? new Meter(GatewayTelemetry.DaprClient);
        _calls = _meter.CreateCounter<long>(CallsName, "{call}", "Calls to the Dapr sidecar by operation and outcome.");
        _duration = _meter.CreateHistogram<double>(DurationName, "s", "Duration of calls to the Dapr sidecar, retries included.");
        _retries = _meter.CreateCounter<long>(RetriesName, "{retry}", "Retried attempts of calls to the Dapr sidecar.");
    }

    /// <summary>Starts the Activity and the clock of one call; dispose the result when the call ends.</summary>
    public DaprCall Start(string operation, string targetTag, string target, HttpMethod? method = null)
    {
        var activity = Source.StartActivity($"Dapr {operation}", ActivityKind.Client);
        if (activity is not null)
        {
            activity.SetTag(OperationTag, operation);
            activity.SetTag(targetTag, target);
            if (method is not null)
            {
                activity.SetTag("http.request.method", method.Method);
            }
        }

        return new DaprCall(this, operation, activity, _time.GetTimestamp());
    }

    internal void Retried(string operation) =>
        _retries.Add(1, new KeyValuePair<string, object?>(OperationTag, operation));

    internal void Completed(DaprCall call, string outcome, long startedAt)
    {
        var tags = new TagList { { OperationTag, call.Operation }, { OutcomeTag, outcome } };
        _calls.Add(1, tags);
        _duration.Record(_time.GetElapsedTime(startedAt).TotalSeconds, tags);
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}

/// <summary>Values of the <c>dapr.outcome</c> tag.</summary>
internal static class DaprCallOutcome
{
    /// <summary>The sidecar answered with success (for an invocation: the callee answered 1xx–3xx).</summary>
    public const string Ok = "ok";

    /// <summary>A conditional write or transaction the sidecar confirmed.</summary>
    public const string Written = "written";

    /// <summary>A conditional write refused for an ETag mismatch.</summary>
    public const string EtagMismatch = "etag_mismatch";

    /// <summary>The sidecar answered with an error.</summary>
    public const string SidecarError = "sidecar_error";

    /// <summary>An invocation the callee answered with 4xx/5xx (the sidecar itself may have answered).</summary>
    public const string ErrorStatus = "error_status";

    /// <summary>No answer: connection failure or timeout.</summary>
    public const string TransportError = "transport_error";

    /// <summary>The caller cancelled.</summary>
    public const string Canceled = "canceled";

    /// <summary>Anything else, e.g. an answer that could not be read as the expected type.</summary>
    public const string Error = "error";
}

/// <summary>One call to the sidecar in flight: its Activity, its clock and its attempts.</summary>
internal sealed class DaprCall(DaprClientTelemetry telemetry, string operation, Activity? activity, long startedAt) : IDisposable
{
    private string? _outcome;
    private int _attempts;

    public string Operation => operation;

    public int Attempts => _attempts;

    public void AttemptStarted()
    {
        if (Interlocked.Increment(ref _attempts) > 1)
        {
            telemetry.Retried(operation);
        }
    }

    /// <summary>Records how the call ended; the last word wins, and a call never told ends as <see cref="DaprCallOutcome.Error"/>.</summary>
    public void Complete(string outcome, HttpStatusCode? statusCode = null, string? errorCode = null)
    {
        _outcome = outcome;
        if (activity is null)
        {
            return;
        }

        activity.SetTag(DaprClientTelemetry.OutcomeTag, outcome);
        if (statusCode is { } status)
        {
            activity.SetTag("http.response.status_code", (int)status);
        }

        if (errorCode is not null)
        {
            activity.SetTag(DaprClientTelemetry.ErrorCodeTag, errorCode);
        }

        if (outcome is not (DaprCallOutcome.Ok or DaprCallOutcome.Written))
        {
            activity.SetStatus(ActivityStatusCode.Error, errorCode ?? outcome);
        }
    }

    public void Dispose()
    {
        if (_outcome is null)
        {
            Complete(DaprCallOutcome.Error);
        }

        activity?.SetTag(DaprClientTelemetry.AttemptsTag, _attempts);
        telemetry.Completed(this, _outcome!, startedAt);
        activity?.Dispose();
    }

}
