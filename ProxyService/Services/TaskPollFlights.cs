using System.Collections.Concurrent;
using Gateway.ProxyService.Model;

namespace Gateway.ProxyService.Services;

/// <summary>
/// One status query in flight per task (in this process): a poll that arrives while another poll
/// of the same task is being answered (the provider asked, the end recorded and settled) waits for
/// that answer instead of asking the provider again, so a burst of pollers costs the provider one
/// call and the settlement is decided once; the next poll after it is answered from the ledger.
/// </summary>
internal sealed class TaskPollFlights
{
    private readonly ConcurrentDictionary<(string Provider, string TaskId), Task<ProxyAnswer>> _flights = new();

    /// <summary>
    /// Runs <paramref name="poll"/> for the task, or joins the run already in flight and answers
    /// what it answers (its failure included). A joiner that goes away stops waiting; the run goes on.
    /// </summary>
    public async Task<ProxyAnswer> RunAsync(string provider, string taskId, Func<Task<ProxyAnswer>> poll, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(poll);
        var key = (provider, taskId);
        var flight = new TaskCompletionSource<ProxyAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = _flights.GetOrAdd(key, flight.Task);
        if (running != flight.Task)
        {
            return await running.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var answer = await poll().ConfigureAwait(false);
            flight.SetResult(answer);
            return answer;
        }
        catch (Exception e)
        {
            flight.SetException(e);

            // Observed here: with no joiner the failure would be reported again as unobserved.
            _ = flight.Task.Exception;
            throw;
        }
        finally
        {
            _flights.TryRemove(new KeyValuePair<(string, string), Task<ProxyAnswer>>(key, flight.Task));
        }
    }
}
