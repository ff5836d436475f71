using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Gateway.BillingService.Infrastructure;

/// <summary>
/// The ActivitySource and Meter <c>Gateway.Billing</c> (collected by ServiceDefaults' <c>Gateway.*</c>
/// pattern). Tags carry ids, names, amounts and outcomes; never idempotency keys.
/// </summary>
internal sealed class BillingTelemetry
{
    public const string Name = "Gateway.Billing";

    /// <summary>Counter <c>gateway.billing.reservations</c>: reservation operations by <c>billing.operation</c> and <c>billing.outcome</c>.</summary>
    public const string ReservationsInstrument = "gateway.billing.reservations";

    /// <summary>Histogram <c>gateway.billing.amount</c>: amounts by <c>billing.amount_kind</c> (reserved, charged, overage, unpaid, credited).</summary>
    public const string AmountInstrument = "gateway.billing.amount";

    public const string AccountTag = "billing.account_id";
    public const string ReservationTag = "billing.reservation_id";
    public const string ProviderTag = "billing.provider";
    public const string OperationTag = "billing.operation";
    public const string AmountTypeTag = "billing.amount_type";
    public const string AmountTag = "billing.amount";
    public const string OutcomeTag = "billing.outcome";
    public const string AttemptsTag = "billing.attempts";
    public const string AmountKindTag = "billing.amount_kind";

    private static readonly ActivitySource s_source = new(Name);

    private readonly Counter<long> _reservations;
    private readonly Histogram<long> _amounts;

    public BillingTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(Name);
        _reservations = meter.CreateCounter<long>(ReservationsInstrument, "{operation}", "Reservation operations (reserve, finalize, release, expire) by outcome.");
        _amounts = meter.CreateHistogram<long>(
            AmountInstrument,
            "{minor_unit}",
            "Amounts reserved, charged, overcharged, left unpaid and credited, in minor units.",
            tags: null,
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000] });
    }

    /// <summary>Starts the Activity of one billing operation, e.g. <c>billing.reserve</c>.</summary>
    public static Activity? StartActivity(string operation) => s_source.StartActivity("billing." + operation, ActivityKind.Internal);

    public void CountReservation(string operation, string outcome) =>
        _reservations.Add(1, new KeyValuePair<string, object?>(OperationTag, operation), new KeyValuePair<string, object?>(OutcomeTag, outcome));

    public void RecordAmount(string kind, long amount) =>
        _amounts.Record(amount, new KeyValuePair<string, object?>(AmountKindTag, kind));
}
