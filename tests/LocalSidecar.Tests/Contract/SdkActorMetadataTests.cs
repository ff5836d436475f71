using System.Net;
using System.Text;
using Dapr.Client;
using Gateway.LocalSidecar.Tests.Actors;
using Grpc.Net.Client;
using Wire = Dapr.Client.Autogen.Grpc.v1;

namespace Gateway.LocalSidecar.Tests.Contract;

/// <summary>
/// <c>GetMetadata</c> over gRPC reports the actor runtime from the same data as <c>/v1.0/metadata</c>:
/// the hosted types and how many actors of each are active (what <c>DaprClient.GetMetadataAsync</c> reads).
/// </summary>
public sealed class SdkActorMetadataTests
{
    // Idle deactivation an hour away: the activated actors stay active while the test reads.
    private const string Config = """
        {"entities":["Counter","Worker"],"actorIdleTimeout":"1h","drainRebalancedActors":true,"reentrancy":{"enabled":false}}
        """;

    [Fact]
    public async Task GetMetadataAsync_CountsTheActiveActorsPerType()
    {
        await using var host = await ActorHost.StartAsync(Config);
        foreach (var id in new[] { "a", "b" })
        {
            using var called = await host.Client.PutAsync($"/v1.0/actors/Counter/{id}/method/echo", new StringContent("{}", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, called.StatusCode);
        }

        using var dapr = new DaprClientBuilder().UseGrpcEndpoint(host.Sidecar.GrpcEndpoint.ToString()).UseHttpEndpoint(host.Sidecar.HttpEndpoint.ToString()).Build();
        using var channel = GrpcChannel.ForAddress(host.Sidecar.GrpcEndpoint);

        var metadata = await dapr.GetMetadataAsync();
        var raw = await new Wire.Dapr.DaprClient(channel).GetMetadataAsync(new Wire.GetMetadataRequest());

        Assert.Equal(2, Assert.Single(metadata.Actors, a => a.Type == "Counter").Count);
        Assert.Equal(0, Assert.Single(metadata.Actors, a => a.Type == "Worker").Count);
        Assert.Equal(Wire.ActorRuntime.Types.ActorRuntimeStatus.Running, raw.ActorRuntime.RuntimeStatus);
        Assert.True(raw.ActorRuntime.HostReady);
        Assert.Contains("ACTOR", raw.RegisteredComponents.Single().Capabilities);
    }
}
