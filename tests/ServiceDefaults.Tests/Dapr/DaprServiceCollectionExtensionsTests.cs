using Gateway.ServiceDefaults.Dapr;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.ServiceDefaults.Tests.Dapr;

public sealed class DaprServiceCollectionExtensionsTests
{
    [Fact]
    public void AddDaprSidecar_RegistersTheStateClient_OverOneChannel()
    {
        using var provider = new ServiceCollection()
            .AddDaprSidecar(new DaprSidecarOptions { HttpEndpoint = new Uri("http://127.0.0.1:3999") })
            .BuildServiceProvider();

        Assert.Same(provider.GetRequiredService<DaprStateClient>(), provider.GetRequiredService<DaprStateClient>());
        Assert.Same(provider.GetRequiredService<DaprSidecarChannel>(), provider.GetRequiredService<DaprSidecarChannel>());
    }

    [Fact]
    public void AddDaprSidecar_InvalidClientOptions_FailValidation()
    {
        using var provider = new ServiceCollection()
            .AddDaprSidecar(new DaprSidecarOptions())
            .Configure<DaprClientOptions>(o => o.MaxRetryAttempts = 50)
            .BuildServiceProvider();

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<DaprStateClient>());
    }

    [Fact]
    public void AddDaprSidecar_ConfiguredJsonOptions_AreUsed()
    {
        var json = new System.Text.Json.JsonSerializerOptions();
        using var provider = new ServiceCollection()
            .AddDaprSidecar(new DaprSidecarOptions())
            .Configure<DaprClientOptions>(o => o.JsonSerializerOptions = json)
            .BuildServiceProvider();

        Assert.Same(json, provider.GetRequiredService<DaprSidecarChannel>().Json);
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
