using System.Net;
using Gateway.ServiceDefaults.Security;
using Gateway.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.ServiceDefaults.Tests.Hosting;

public sealed class PublicEndpointTests : IAsyncLifetime
{
    private const string Token = "sidecar-only";
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["APP_API_TOKEN"] = Token;
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.AddServiceDefaults();
        _app = builder.Build();
        _app.MapDefaultEndpoints();
        _app.MapGet("/public", () => "open").AllowWithoutAppApiToken();
        _app.MapGet("/private", () => "sidecar only");
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task AppApiToken_MarkedEndpointsAndProbesAreOpen_OthersNeedTheToken()
    {
        using var open = await _client.GetAsync("/public");
        using var alive = await _client.GetAsync("/alive");
        using var closed = await _client.GetAsync("/private");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/private");
        request.Headers.Add("dapr-api-token", Token);
        using var withToken = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, closed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withToken.StatusCode);
    }
}
