using Gateway.ServiceDefaults.Dapr;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.ServiceDefaults.Tests.Dapr;

public sealed class DaprServiceCollectionExtensionsTests
{
    [Fact]
    public void AddDaprSidecar_RegistersTheSdkClientAndTheAdapter_AsSingletons()
    {
        using var provider = new ServiceCollection()
            .AddDaprSidecar(new DaprSidecarOptions { GrpcEndpoint = new Uri("http://127.0.0.1:3998"), HttpEndpoint = new Uri("http://127.0.0.1:3999") })
            .BuildServiceProvider();

        Assert.Same(provider.GetRequiredService<StateStoreClient>(), provider.GetRequiredService<StateStoreClient>());
        Assert.Same(provider.GetRequiredService<global::Dapr.Client.DaprClient>(), provider.GetRequiredService<global::Dapr.Client.DaprClient>());
    }

    [Fact]
    public void AddDaprSidecar_InvalidClientOptions_FailValidation()
    {
        using var provider = new ServiceCollection()
            .AddDaprSidecar(new DaprSidecarOptions())
            .Configure<DaprClientOptions>(o => o.MaxRetryAttempts = 50)
            .BuildServiceProvider();

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<StateStoreClient>());
    }

    [Fact]
    public void AddDaprSidecar_ConfiguredJsonOptions_AreTheSdkClients()
    {
        var json = new System.Text.Json.JsonSerializerOptions();
        using var provider = new ServiceCollection()
            .AddDaprSidecar(new DaprSidecarOptions())
            .Configure<DaprClientOptions>(o => o.JsonSerializerOptions = json)
            .BuildServiceProvider();

        Assert.Same(json, provider.GetRequiredService<global::Dapr.Client.DaprClient>().JsonSerializerOptions);
    }

    [Theory]
    [InlineData("DAPR_GRPC_PORT", "50007", "http://127.0.0.1:50007/")]
    [InlineData("DAPR_GRPC_ENDPOINT", "http://sidecar:4001", "http://sidecar:4001/")]
    [InlineData(null, null, "http://127.0.0.1:50001/")]
    public void DaprSidecarOptions_GrpcEndpoint_FromTheDaprVariables(string? name, string? value, string expected)
    {
        var options = DaprSidecarOptions.FromEnvironment(n => n == name ? value : null);

        Assert.Equal(expected, options.GrpcEndpoint.ToString());
    }

    [Theory]
    [InlineData(-1, 200, 10_000)]
    [InlineData(11, 200, 10_000)]
    [InlineData(3, -1, 10_000)]
    [InlineData(3, 200, 5)]
    public void DaprClientOptions_OutOfRange_AreReported(int retries, int delayMs, int attemptTimeoutMs)
    {
        var options = new DaprClientOptions
        {
            MaxRetryAttempts = retries,
            RetryDelay = TimeSpan.FromMilliseconds(delayMs),
            AttemptTimeout = TimeSpan.FromMilliseconds(attemptTimeoutMs),
        };

        Assert.Single(options.Validate());
    }

    [Fact]
    public void DaprClientOptions_Defaults_AreValid()
    {
        Assert.Empty(new DaprClientOptions().Validate());
    }
}
