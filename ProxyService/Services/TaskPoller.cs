using Gateway.ProxyService.Infrastructure;
using Gateway.ProxyService.Infrastructure.Forwarding;
using Gateway.ProxyService.Model;
using Microsoft.Extensions.Options;

namespace Gateway.ProxyService.Services;

/// <summary>
/// A status query (ARCHITECTURE.md section 5a), one at a time per task (<see cref="TaskPollFlights"/>:
/// concurrent polls of a task share one answer): find the call by task id → finished already:
/// replay its terminal answer without calling the provider → else forward and read the status →
/// terminal: record the decision with a conditional write (exactly one poller wins, the others
/// replay the winner's answer) and settle it with billing.
/// </summary>
internal sealed class TaskPoller(
    CallLedger ledger,
    CallSettler settler,
    TaskPollFlights flights,
    UpstreamForwarder forwarder,
    IOptions<ProxyOptions> options,
    ILogger<TaskPoller> logger)
{
    private readonly int _limit = options.Value.MaxTrackedResponseBytes;

    /// <param name="context">The poll.</param>
    /// <param name="provider">The provider polled.</param>
    /// <param name="route">The query route the poll matched.</param>
    /// <param name="segments">The poll's path as the provider reads it.</param>
    /// <param name="destination">The upstream URL.</param>
    /// <param name="body">The poll's body.</param>
    public Task<ProxyAnswer> QueryAsync(HttpContext context, ProviderDefinition provider, QueryRoute route, IReadOnlyList<string> segments, Uri destination, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(segments);
        var taskId = route.ReadTaskId(segments, context.Request.Query, body);
        return taskId is null
            ? PollAsync(context, provider, route, null, destination, body)
            : flights.RunAsync(provider.Name, taskId, () => PollAsync(context, provider, route, taskId, destination, body), context.RequestAborted);
    }

    private async Task<ProxyAnswer> PollAsync(HttpContext context, ProviderDefinition provider, QueryRoute route, string? taskId, Uri destination, byte[] body)
    {
        using var activity = ProxyTelemetry.StartActivity("query", provider.Name);
        var callId = taskId is null ? null : await ledger.FindTaskAsync(provider.Name, taskId, CancellationToken.None).ConfigureAwait(false);
        var record = callId is null ? null : await ledger.GetAsync(callId, CancellationToken.None).ConfigureAwait(false);
        activity?.SetTag(ProxyTelemetry.CallTag, callId);
        if (record?.FinalResponse is { } final)
        {
            return new ProxyAnswer(final, callId, Replayed: true);
        }

        var exchange = await forwarder.ExchangeAsync(context, provider.Name, provider.Target, destination, body, _limit).ConfigureAwait(false);
        if (exchange is not UpstreamExchange.Answered answered)
        {
            // A failed poll says nothing about the task: nothing is recorded, the client polls again.
            return ProxyAnswer.Problem(
                exchange switch
                {
                    UpstreamExchange.TooLarge tooLarge => ProxyProblems.ResponseTooLarge(tooLarge.StatusCode),
                    UpstreamExchange.Unreachable { TimedOut: true } => ProxyProblems.ProviderTimeout(),
                    _ => ProxyProblems.ProviderUnreachable(),
                },
                callId);
        }

        if (record is not { Status: CallStatus.Running })
        {
            return new ProxyAnswer(answered.Response, callId);
        }

        var ended = ProviderAnswers.ReadStatus(answered.Response, route, record.Billing, provider.Billing.UsageMultiplier) switch
        {
            TaskVerdict.Succeeded succeeded => new TaskEnded(true, succeeded.Amount, "succeeded", answered.Response),
            TaskVerdict.Failed failed => new TaskEnded(false, 0, failed.Reason, answered.Response),
            _ => null,
        };
        if (ended is null)
        {
            return new ProxyAnswer(answered.Response, callId);
        }

        var result = await ledger.ApplyAsync(record.CallId, _ => ended, CancellationToken.None).ConfigureAwait(false);
        switch (result.Outcome)
        {
            case LedgerOutcome.Applied:
                ProxyLog.TaskEnded(logger, record.CallId, ended.Succeeded ? "succeeded" : ended.Reason, ended.Amount);
                if (result.Record is { Status: CallStatus.FinalizePending } pending)
                {
                    await settler.SettleAsync(pending, CancellationToken.None).ConfigureAwait(false);
                }

                return new ProxyAnswer(answered.Response, callId);
            case LedgerOutcome.AlreadyApplied when result.Record?.FinalResponse is { } winner:
                // Another poller recorded the end first: every poller gets the same answer.
                return new ProxyAnswer(winner, callId, Replayed: true);
            default:
                return new ProxyAnswer(answered.Response, callId);
        }
    }
}
