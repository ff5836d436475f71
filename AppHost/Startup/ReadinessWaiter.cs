using Gateway.AppHost.Processes;
using Gateway.AppHost.Resources;

namespace Gateway.AppHost.Startup;

/// <summary>A resource that did not become healthy, with the last thing its probe saw.</summary>
internal sealed record NotReady(string Name, string LastObservation);

/// <summary>Polls every resource's readiness URL until all answer 2xx or the startup timeout passes.</summary>
internal sealed class ReadinessWaiter(HttpClient client, TimeProvider time, ConsoleOutput output)
{
    /// <summary>How often each readiness URL is asked.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <returns>The resources still not ready at the deadline; empty when all are ready.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<IReadOnlyList<NotReady>> WaitAsync(IReadOnlyList<ResourceSpec> resources, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resources);
        using var deadline = new CancellationTokenSource(timeout, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        var observations = await Task.WhenAll(resources.Select(r => PollAsync(r, either.Token))).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return [.. observations.OfType<NotReady>()];
    }

    /// <returns>null once ready; what was last seen when the token stopped the polling.</returns>
    private async Task<NotReady?> PollAsync(ResourceSpec resource, CancellationToken token)
    {
        var started = time.GetTimestamp();
        var last = "not probed yet";
        while (!token.IsCancellationRequested)
        {
            var (ready, observation) = await ProbeAsync(resource, token).ConfigureAwait(false);
            last = observation ?? last;
            if (ready)
            {
                output.Info($"{resource.Name} is healthy after {time.GetElapsedTime(started).TotalSeconds:0.0} s.");
                return null;
            }

            try
            {
                await Task.Delay(PollInterval, time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return new NotReady(resource.Name, last);
    }

    /// <returns>Observation null when the polling itself was stopped mid-request: the previous one says more.</returns>
    private async Task<(bool Ready, string? Observation)> ProbeAsync(ResourceSpec resource, CancellationToken token)
    {
        try
        {
            using var response = await client.GetAsync(resource.ReadinessUrl, token).ConfigureAwait(false);
            return (response.IsSuccessStatusCode, $"GET {resource.ReadinessUrl} answered {(int)response.StatusCode}");
        }
        catch (HttpRequestException ex)
        {
            return (false, $"GET {resource.ReadinessUrl} failed: {ex.Message}");
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            return (false, $"GET {resource.ReadinessUrl} timed out after {client.Timeout.TotalSeconds:0} s");
        }
        catch (OperationCanceledException)
        {
            return (false, null);
        }
    }
}
