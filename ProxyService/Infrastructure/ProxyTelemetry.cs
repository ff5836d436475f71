using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Gateway.ProxyService.Infrastructure;

/// <summary>
/// The ActivitySource and Meter <c>Gateway.Proxy</c> (collected by ServiceDefaults' <c>Gateway.*</c>
/// pattern). Tags carry provider names, call ids, kinds and outcomes; never credentials, keys or bodies.
/// </summary>
internal sealed class ProxyTelemetry
{
    public const string Name = "Gateway.Proxy";

    /// <summary>Counter <c>gateway.proxy.requests</c>: requests by <c>proxy.provider</c>, <c>proxy.kind</c> (submit, query, passthrough) and <c>proxy.outcome</c>.</summary>
    public const string RequestsInstrument = "gateway.proxy.requests";

    /// <summary>Counter <c>gateway.proxy.settlements</c>: finalize/release attempts by <c>proxy.settlement_kind</c> and <c>proxy.outcome</c> (landed, deferred).</summary>
    public const string SettlementsInstrument = "gateway.proxy.settlements";

    public const string ProviderTag = "proxy.provider";
    public const string KindTag = "proxy.kind";
    public const string OutcomeTag = "proxy.outcome";
    public const string CallTag = "proxy.call_id";
    public const string SettlementKindTag = "proxy.settlement_kind";

    private static readonly ActivitySource s_source = new(Name);

    private readonly Counter<long> _requests;
    private readonly Counter<long> _settlements;

    public ProxyTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(Name);
        _requests = meter.CreateCounter<long>(RequestsInstrument, "{request}", "Proxied requests by provider, kind and outcome.");
        _settlements = meter.CreateCounter<long>(SettlementsInstrument, "{attempt}", "Finalize and release attempts towards BillingService by outcome.");
    }

    /// <summary>Starts the Activity of one proxy operation, e.g. <c>proxy.submit</c>.</summary>
    public static Activity? StartActivity(string operation, string provider)
    {
        var activity = s_source.StartActivity("proxy." + operation, ActivityKind.Internal);
        activity?.SetTag(ProviderTag, provider);
        return activity;
    }

    public void CountRequest(string provider, string kind, string outcome) =>
        _requests.Add(1, new KeyValuePair<string, object?>(ProviderTag, provider), new KeyValuePair<string, object?>(KindTag, kind), new KeyValuePair<string, object?>(OutcomeTag, outcome));

    public void CountSettlement(string kind, string outcome) =>
        _settlements.Add(1, new KeyValuePair<string, object?>(SettlementKindTag, kind), new KeyValuePair<string, object?>(OutcomeTag, outcome));
}
