using System.Net;
using System.Text;
using Gateway.ServiceDefaults.Actors;
using Gateway.ServiceDefaults.Tests.Actors.Support;

namespace Gateway.ServiceDefaults.Tests.Actors;

/// <summary>The sidecar reads the idle timeout from /dapr/config, deactivates idle actors, and a later call reads their state back.</summary>
public sealed class ActorIdleDeactivationTests(ActorIdleDeactivationTests.ShortIdleFixture fixture) : IClassFixture<ActorIdleDeactivationTests.ShortIdleFixture>
{
    public sealed class ShortIdleFixture : ActorSidecarFixture
    {
        protected override void Configure(ActorRuntimeOptions options)
        {
            options.ActorIdleTimeout = TimeSpan.FromSeconds(1);
            options.ActorScanInterval = TimeSpan.FromMilliseconds(200);
        }
    }

    [Fact]
    public async Task IdleActor_IsDeactivatedByTheSidecar_AndReactivatedWithItsState()
    {
        var id = ActorIds.New();
        using var increment = await fixture.SidecarHttp.PutAsync($"/v1.0/actors/Counter/{id}/method/increment", new StringContent("""{"by":3}""", Encoding.UTF8, "application/json"));

        await fixture.App.Probe.WaitForAsync($"deactivate:{id}", timeout: TimeSpan.FromSeconds(10));
        using var get = await fixture.SidecarHttp.PutAsync($"/v1.0/actors/Counter/{id}/method/get", null);

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("3", await get.Content.ReadAsStringAsync());
        Assert.Equal([$"activate:{id}", $"deactivate:{id}", $"activate:{id}"], fixture.App.Probe.Events.Where(e => e.EndsWith(id, StringComparison.Ordinal)));
    }
}
