using Gateway.ServiceDefaults.Actors;
using Gateway.ServiceDefaults.Dapr;
using Gateway.ServiceDefaults.Tests.Actors.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.ServiceDefaults.Tests.Actors;

/// <summary>AddActors validates its options when called; MapActorsHandlers needs it.</summary>
public sealed class ActorsServiceCollectionExtensionsTests
{
    public static TheoryData<string, Action<ActorRuntimeOptions>> InvalidOptions => new()
    {
        { "no actor type", _ => { } },
        { "ActorIdleTimeout", o => { o.RegisterActor<CounterActor>("Counter"); o.ActorIdleTimeout = TimeSpan.Zero; } },
        { "ActorScanInterval", o => { o.RegisterActor<CounterActor>("Counter"); o.ActorScanInterval = TimeSpan.FromSeconds(-1); } },
        { "DrainOngoingCallTimeout", o => { o.RegisterActor<CounterActor>("Counter"); o.DrainOngoingCallTimeout = TimeSpan.Zero; } },
        { "MaxStackDepth", o => { o.RegisterActor<CounterActor>("Counter"); o.Reentrancy = new ActorReentrancyOptions { Enabled = true, MaxStackDepth = 0 }; } },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void AddActors_InvalidOptions_ThrowsNamingTheProblem(string problem, Action<ActorRuntimeOptions> configure)
    {
        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddActors(configure));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddActors_Twice_Throws()
    {
        var services = new ServiceCollection().AddActors(o => o.RegisterActor<CounterActor>("Counter"));

        Assert.Throws<InvalidOperationException>(() => services.AddActors(o => o.RegisterActor<CounterActor>("Other")));
    }

    [Fact]
    public void AddActors_Defaults_AreDaprds()
    {
        var options = new ActorRuntimeOptions();

        Assert.Equal(TimeSpan.FromMinutes(60), options.ActorIdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ActorScanInterval);
        Assert.Equal(TimeSpan.FromSeconds(60), options.DrainOngoingCallTimeout);
        Assert.True(options.DrainRebalancedActors);
        Assert.False(options.Reentrancy.Enabled);
        Assert.Equal(32, options.Reentrancy.MaxStackDepth);
    }

    [Fact]
    public void AddActorClient_ResolvesOverTheDaprSidecar_AndIsOneInstance()
    {
        var services = new ServiceCollection()
            .AddDaprSidecar(new DaprSidecarOptions())
            .AddActorClient()
            .AddActorClient();
        using var provider = services.BuildServiceProvider();

        Assert.Same(provider.GetRequiredService<ActorClient>(), provider.GetRequiredService<ActorClient>());
        Assert.Single(services, d => d.ServiceType == typeof(ActorClient));
    }

    [Fact]
    public async Task MapActorsHandlers_WithoutAddActors_Throws()
    {
        await using var app = WebApplication.CreateSlimBuilder().Build();

        Assert.Throws<InvalidOperationException>(() => app.MapActorsHandlers());
    }
}
