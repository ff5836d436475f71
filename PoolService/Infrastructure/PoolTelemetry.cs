using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gateway.PoolService.Model;

namespace Gateway.PoolService.Infrastructure;

/// <summary>
/// The ActivitySource and Meter <c>Gateway.Pool</c> (collected by ServiceDefaults' <c>Gateway.*</c>
/// pattern). Tags carry backend ids, pool and model names, reasons and outcomes; never keys.
/// Counted by the replica that served the request; the backend state gauge reports the last
/// status this replica saw from each backend's actor.
/// </summary>
internal sealed class PoolTelemetry
{
    public const string Name = "Gateway.Pool";

    public const string LeasesInstrument = "gateway.pool.leases";
    public const string LeaseDurationInstrument = "gateway.pool.lease.duration";
    public const string GrantsInstrument = "gateway.pool.grants";
    public const string DenialsInstrument = "gateway.pool.denials";
    public const string CooldownsInstrument = "gateway.pool.cooldowns";
    public const string EjectionsInstrument = "gateway.pool.ejections";
    public const string OutcomesInstrument = "gateway.pool.outcomes";
    public const string TokensInstrument = "gateway.pool.tokens";
    public const string UpstreamLatencyInstrument = "gateway.pool.upstream.latency";
    public const string ProbesInstrument = "gateway.pool.probes";
    public const string BackendStateInstrument = "gateway.pool.backend.state";

    public const string BackendTag = "pool.backend_id";
    public const string PoolTag = "pool.pool";
    public const string ModelTag = "pool.model";
    public const string ResultTag = "pool.result";
    public const string ReasonTag = "pool.reason";
    public const string EmergencyTag = "pool.emergency";
    public const string OutcomeTag = "pool.outcome";
    public const string TokenKindTag = "pool.token_kind";

    private static readonly ActivitySource s_source = new(Name);

    private readonly ConcurrentDictionary<string, BackendCondition> _conditions = new(StringComparer.Ordinal);
    private readonly Counter<long> _leases;
    private readonly Histogram<double> _leaseDuration;
    private readonly Counter<long> _grants;
    private readonly Counter<long> _denials;
    private readonly Counter<long> _cooldowns;
    private readonly Counter<long> _ejections;
    private readonly Counter<long> _outcomes;
    private readonly Counter<long> _tokens;
    private readonly Histogram<double> _upstreamLatency;
    private readonly Counter<long> _probes;

    public PoolTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(Name);
        _leases = meter.CreateCounter<long>(LeasesInstrument, "{lease}", "Lease requests by result (granted, emergency, exhausted, unknown_model).");
        _leaseDuration = meter.CreateHistogram<double>(LeaseDurationInstrument, "ms", "Time to answer a lease request, actor calls included.");
        _grants = meter.CreateCounter<long>(GrantsInstrument, "{grant}", "Leases granted, by backend and whether from the emergency trickle.");
        _denials = meter.CreateCounter<long>(DenialsInstrument, "{denial}", "Backends that refused a lease, by backend and reason.");
        _cooldowns = meter.CreateCounter<long>(CooldownsInstrument, "{cooldown}", "Cooldowns started or escalated by a rate-limited answer, by backend.");
        _ejections = meter.CreateCounter<long>(EjectionsInstrument, "{ejection}", "Ejections after failures in a row, by backend.");
        _outcomes = meter.CreateCounter<long>(OutcomesInstrument, "{call}", "Reported upstream calls, by backend and outcome.");
        _tokens = meter.CreateCounter<long>(TokensInstrument, "{token}", "Reported tokens, by backend, model and kind (prompt, completion).");
        _upstreamLatency = meter.CreateHistogram<double>(UpstreamLatencyInstrument, "ms", "Reported upstream latency, by backend and outcome.");
        _probes = meter.CreateCounter<long>(ProbesInstrument, "{probe}", "Health probes, by backend and result (pass, fail).");
        meter.CreateObservableGauge(
            BackendStateInstrument,
            () => _conditions.Select(c => new Measurement<int>((int)c.Value, new KeyValuePair<string, object?>(BackendTag, c.Key))),
            "{state}",
            "Last seen condition per backend: 0 available, 1 saturated, 2 cooldown, 3 ejected, 4 unhealthy, 5 disabled.");
    }

    public static Activity? StartActivity(string operation) => s_source.StartActivity("pool." + operation, ActivityKind.Internal);

    public void Observe(BackendStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        _conditions[status.BackendId] = status.State;
    }

    public void Forget(string backendId) => _conditions.TryRemove(backendId, out _);

    public void Lease(string result, string? pool, double milliseconds)
    {
        var tags = new TagList { { ResultTag, result } };
        if (pool is not null)
        {
            tags.Add(PoolTag, pool);
        }

        _leases.Add(1, tags);
        _leaseDuration.Record(milliseconds, tags);
    }

    public void Grant(string backendId, bool emergency) =>
        _grants.Add(1, new KeyValuePair<string, object?>(BackendTag, backendId), new KeyValuePair<string, object?>(EmergencyTag, emergency));

    public void Denial(string backendId, DenyReason reason) =>
        _denials.Add(1, new KeyValuePair<string, object?>(BackendTag, backendId), new KeyValuePair<string, object?>(ReasonTag, Names.Of(reason)));

    public void Cooldown(string backendId) => _cooldowns.Add(1, new KeyValuePair<string, object?>(BackendTag, backendId));

    public void Ejection(string backendId) => _ejections.Add(1, new KeyValuePair<string, object?>(BackendTag, backendId));

    public void Outcome(string backendId, string model, OutcomeKind outcome, double? latencyMs, long? promptTokens, long? completionTokens)
    {
        var backend = new KeyValuePair<string, object?>(BackendTag, backendId);
        var kind = new KeyValuePair<string, object?>(OutcomeTag, Names.Of(outcome));
        _outcomes.Add(1, backend, kind);
        if (latencyMs is { } latency)
        {
            _upstreamLatency.Record(latency, backend, kind);
        }

        var modelTag = new KeyValuePair<string, object?>(ModelTag, model);
        if (promptTokens is > 0)
        {
            _tokens.Add(promptTokens.Value, backend, modelTag, new KeyValuePair<string, object?>(TokenKindTag, "prompt"));
        }

        if (completionTokens is > 0)
        {
            _tokens.Add(completionTokens.Value, backend, modelTag, new KeyValuePair<string, object?>(TokenKindTag, "completion"));
        }
    }

    public void Probe(string backendId, bool passed) =>
        _probes.Add(1, new KeyValuePair<string, object?>(BackendTag, backendId), new KeyValuePair<string, object?>(ResultTag, passed ? "pass" : "fail"));
}
