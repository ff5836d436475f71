using System.Diagnostics.Metrics;
using Gateway.ServiceDefaults.Dapr;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.ServiceDefaults.Tests.Dapr.Support;

/// <summary>The real state client over a channel to <c>endpoint</c>, with test-sized retry settings unless told otherwise.</summary>
internal sealed class TestDaprClients : IDisposable
{
    private readonly DaprSidecarChannel _channel;

    public TestDaprClients(Uri endpoint, string? apiToken = null, Action<DaprClientOptions>? configure = null, TimeProvider? time = null, IMeterFactory? meterFactory = null)
    {
        var options = new DaprClientOptions
        {
            MaxRetryAttempts = 2,
            RetryDelay = TimeSpan.FromMilliseconds(1),
            RetryMaxDelay = TimeSpan.FromMilliseconds(20),
            AttemptTimeout = TimeSpan.FromSeconds(15),
        };
        configure?.Invoke(options);
        _channel = new DaprSidecarChannel(
            new DaprSidecarOptions { HttpEndpoint = endpoint, ApiToken = apiToken },
            options,
            NullLogger.Instance,
            time ?? TimeProvider.System,
            meterFactory);
        State = new DaprStateClient(_channel);
    }

    public DaprStateClient State { get; }

    public void Dispose() => _channel.Dispose();
}

/// <summary>Keys no other test (or earlier run against the same store) uses.</summary>
internal static class TestKeys
{
    public static string New(string prefix = "k") => $"{prefix}-{Guid.NewGuid():N}";
}

/// <summary>A document shaped like the services' state documents.</summary>
public sealed record Account(string AccountId, long Balance);
