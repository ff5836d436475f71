using System.Diagnostics.Metrics;
using Gateway.ServiceDefaults.Dapr;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.ServiceDefaults.Tests.Dapr.Support;

/// <summary>
/// The clients as a service gets them from <c>AddDaprSidecar</c>, the state API on
/// <c>grpcEndpoint</c> and the HTTP API on <c>httpEndpoint</c>, with test-sized retry settings
/// unless told otherwise.
/// </summary>
internal sealed class TestDaprClients : IDisposable
{
    private readonly ServiceProvider _provider;

    public TestDaprClients(Uri? grpcEndpoint = null, Uri? httpEndpoint = null, string? apiToken = null, Action<DaprClientOptions>? configure = null, TimeProvider? time = null, IMeterFactory? meterFactory = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        if (meterFactory is not null)
        {
            services.AddSingleton(meterFactory);
        }

        var unused = new Uri("http://127.0.0.1:9");
        services.AddDaprSidecar(new DaprSidecarOptions { GrpcEndpoint = grpcEndpoint ?? unused, HttpEndpoint = httpEndpoint ?? unused, ApiToken = apiToken });
        services.Configure<DaprClientOptions>(options =>
        {
            options.MaxRetryAttempts = 2;
            options.RetryDelay = TimeSpan.FromMilliseconds(1);
            options.RetryMaxDelay = TimeSpan.FromMilliseconds(20);
            options.AttemptTimeout = TimeSpan.FromSeconds(15);
            configure?.Invoke(options);
        });
        _provider = services.BuildServiceProvider();
    }

    public StateStoreClient State => _provider.GetRequiredService<StateStoreClient>();

    public DaprInvocationClient Invocation => _provider.GetRequiredService<DaprInvocationClient>();

    public void Dispose() => _provider.Dispose();
}

/// <summary>Keys no other test (or earlier run against the same store) uses.</summary>
internal static class TestKeys
{
    public static string New(string prefix = "k") => $"{prefix}-{Guid.NewGuid():N}";
}

/// <summary>A document shaped like the services' state documents.</summary>
public sealed record Account(string AccountId, long Balance);
