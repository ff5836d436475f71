using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.ProxyService.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.ProxyService.Tests.Apis;

/// <summary>Section 5: credentials, confinement, limits, streaming, and the key kept out of sight.</summary>
[Collection(SharedStackDefinition.Name)]
public sealed class ForwardingScenarios(StackFixture fixture) : IAsyncLifetime
{
    private readonly List<string> _bystanderSaw = [];
    private WebApplication? _bystander;
    private int _bystanderPort;

    private ProxyStack Stack => fixture.Stack;

    /// <summary>Another listener on the machine, which an open proxy could be talked into calling.</summary>
    public async Task InitializeAsync()
    {
        _bystanderPort = Gateway.Testing.FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, _bystanderPort));
        _bystander = builder.Build();
        _bystander.Run(context =>
        {
            lock (_bystanderSaw)
            {
                _bystanderSaw.Add(context.Request.Path);
            }

            return context.Response.WriteAsync("bystander");
        });
        await _bystander.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_bystander is not null)
        {
            await _bystander.DisposeAsync();
        }
    }

    [Fact]
    public async Task Passthrough_StripsTheClientsCredentialsAndInjectsTheProviders_Unbilled()
    {
        var run = ProxyCalls.NewRun();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/proxy/tasks/models");
        request.Headers.Add("X-Fake-Run", run);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer client-secret-token");
        request.Headers.TryAddWithoutValidation("X-Api-Key", "client-api-key");
        request.Headers.TryAddWithoutValidation("Api-Key", "client-api-key-2");
        request.Headers.TryAddWithoutValidation("Cookie", "session=client-cookie");
        request.Headers.TryAddWithoutValidation("X-Custom", "kept");

        using var response = await Stack.Proxy.SendAsync(request);
        var reply = await ProxyReply.ReadAsync(response);

        Assert.Equal(200, reply.Status);
        Assert.Null(reply.CallId);
        var seen = Assert.Single(await Stack.ProviderRequestsAsync(run)).GetProperty("headers");
        Assert.Equal("Bearer " + ProxyStack.ProviderKey, seen.GetProperty("authorization").GetString());
        Assert.False(seen.TryGetProperty("x-api-key", out _));
        Assert.False(seen.TryGetProperty("api-key", out _));
        Assert.False(seen.TryGetProperty("cookie", out _));
        Assert.Equal("kept", seen.GetProperty("x-custom").GetString());
        Assert.True(seen.TryGetProperty("traceparent", out _));
    }

    [Fact]
    public async Task Passthrough_CustomCredentialHeader_ReplacesTheClientsValue()
    {
        var run = ProxyCalls.NewRun();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/proxy/fixedprice/models");
        request.Headers.Add("X-Fake-Run", run);
        request.Headers.TryAddWithoutValidation("X-Api-Key", "client-api-key");

        using var response = await Stack.Proxy.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(await Stack.ProviderRequestsAsync(run)).GetProperty("headers");
        Assert.Equal(ProxyStack.ProviderKey, seen.GetProperty("x-api-key").GetString());
        Assert.False(seen.TryGetProperty("authorization", out _));
    }

    [Fact]
    public async Task Passthrough_StreamsTheAnswerAsItComes()
    {
        var clock = Stopwatch.StartNew();
        using var response = await Stack.Proxy.GetAsync(new Uri("/api/proxy/tasks/stream?chunks=4&delayMs=400", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync();
        var firstAt = clock.Elapsed;
        var rest = await reader.ReadToEndAsync();
        var allAt = clock.Elapsed;

        Assert.Equal("chunk 0", first);
        Assert.Contains("chunk 3", rest, StringComparison.Ordinal);
        Assert.True(allAt - firstAt > TimeSpan.FromMilliseconds(900), $"first chunk at {firstAt}, the rest at {allAt}: the answer was buffered");
    }

    [Fact]
    public async Task Passthrough_StreamsARequestBodyThrough()
    {
        var body = new string('x', 40_000);

        using var response = await Stack.Proxy.PostAsync(new Uri("/api/proxy/tasks/echo", UriKind.Relative), new StringContent(body, Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/api/proxy/tasks/echo")]
    [InlineData("/api/proxy/tasks/tasks")]
    public async Task BodyOverTheLimit_Is413AndNeverForwarded(string path)
    {
        var run = ProxyCalls.NewRun();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(new byte[70_000]) };
        request.Headers.Add("X-Fake-Run", run);
        request.Headers.Add("X-Thread-Id", await Stack.NewAccountAsync());

        using var response = await Stack.Proxy.SendAsync(request);
        var reply = await ProxyReply.ReadAsync(response);

        Assert.Equal(413, reply.Status);
        Assert.Equal("body_too_large", reply.Json.GetProperty("code").GetString());
        Assert.Empty(await Stack.ProviderRequestsAsync(run));
    }

    [Fact]
    public async Task ChunkedSubmitOverTheLimit_Is413AndNeverForwarded()
    {
        var run = ProxyCalls.NewRun();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/proxy/tasks/tasks") { Content = new StreamContent(new MemoryStream(new byte[70_000])) };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add("X-Fake-Run", run);
        request.Headers.Add("X-Thread-Id", await Stack.NewAccountAsync());

        using var response = await Stack.Proxy.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(await Stack.ProviderRequestsAsync(run));
    }

    [Theory]
    [InlineData("/api/proxy/tasks/a/../../_fake/requests")]
    [InlineData("/api/proxy/tasks/%2e%2e/_fake/requests")]
    [InlineData("/api/proxy/tasks/%2E%2E/%2E%2E/_fake/requests")]
    [InlineData("/api/proxy/tasks/..%2f_fake/requests")]
    [InlineData("/api/proxy/tasks/..%2F..%2F_fake%2Frequests")]
    [InlineData("/api/proxy/tasks/..%5c_fake%5crequests")]
    [InlineData("/api/proxy/tasks/%252e%252e/_fake/requests")]
    [InlineData("/api/proxy/tasks//127.0.0.1:{bystander}/steal")]
    [InlineData("/api/proxy/tasks/http://127.0.0.1:{bystander}/steal")]
    [InlineData("/api/proxy/tasks/http:%2F%2F127.0.0.1:{bystander}/steal")]
    [InlineData("/api/proxy/tasks/a%00b")]
    [InlineData("/api/proxy/tasks/a%0d%0aHost:%20127.0.0.1")]
    [InlineData("/api/proxy/tasks/../optional/models")]
    public async Task TraversalAndOpenProxyAttempts_AreRefusedAndReachNobody(string target)
    {
        var run = ProxyCalls.NewRun();
        var before = (await Stack.AllProviderRequestsAsync()).Count;

        var (status, body) = await SendRawAsync($"GET {target.Replace("{bystander}", _bystanderPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)} HTTP/1.1", run);

        Assert.True(status is 400 or 404, $"{target} answered {status}: {body}");
        Assert.DoesNotContain(ProxyStack.ProviderKey, body, StringComparison.Ordinal);
        Assert.Equal(before, (await Stack.AllProviderRequestsAsync()).Count);
        Assert.Empty(_bystanderSaw);
    }

    [Theory]
    [InlineData("GET http://127.0.0.1:{bystander}/api/proxy/tasks/models HTTP/1.1")]
    [InlineData("GET http://127.0.0.1:{bystander}/steal HTTP/1.1")]
    [InlineData("CONNECT 127.0.0.1:{bystander} HTTP/1.1")]
    public async Task ForwardProxyRequests_AreRefusedAndReachNobody(string requestLine)
    {
        var before = (await Stack.AllProviderRequestsAsync()).Count;

        var (status, body) = await SendRawAsync(requestLine.Replace("{bystander}", _bystanderPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), ProxyCalls.NewRun());

        Assert.True(status is >= 400 and < 500, $"{requestLine} answered {status}: {body}");
        Assert.Equal(before, (await Stack.AllProviderRequestsAsync()).Count);
        Assert.Empty(_bystanderSaw);
    }

    [Fact]
    public async Task ProviderKey_NeverReachesTheCallerOrTheLog()
    {
        var (account, run) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun());
        var replies = new List<ProxyReply>
        {
            await Stack.SubmitAsync("tasks", run, account, headers: new Dictionary<string, string> { ["Authorization"] = "Bearer client-secret-token" }),
            await Stack.SubmitAsync("optional", run, account, fake: new Dictionary<string, string> { ["Steps"] = "0" }),
            await Stack.SubmitAsync("tasks", run, account, fake: new Dictionary<string, string> { ["Submit"] = "500" }),
            await Stack.SubmitAsync("dead", run, account),
        };
        replies.Add(await Stack.PollUntilDoneAsync("optional", run, replies[1].Json.GetProperty("taskId").GetString()!));
        using (var models = await Stack.Proxy.GetAsync(new Uri("/api/proxy/optional/models?key=mine", UriKind.Relative)))
        {
            replies.Add(await ProxyReply.ReadAsync(models));
        }

        var views = new List<string>();
        foreach (var callId in replies.Select(r => r.CallId).OfType<string>().Distinct())
        {
            views.Add((await Stack.CallAsync(callId)).GetRawText());
        }

        foreach (var reply in replies)
        {
            Assert.DoesNotContain(ProxyStack.ProviderKey, reply.Body, StringComparison.Ordinal);
            Assert.DoesNotContain(reply.Headers.Values, v => v.Contains(ProxyStack.ProviderKey, StringComparison.Ordinal));
        }

        Assert.All(views, v => Assert.DoesNotContain(ProxyStack.ProviderKey, v, StringComparison.Ordinal));

        // The log runs at Trace for the gateway, YARP and the HTTP client, and still holds neither key.
        Assert.Contains("Proxying to", Stack.ProxyLog, StringComparison.Ordinal);
        Assert.DoesNotContain(ProxyStack.ProviderKey, Stack.ProxyLog, StringComparison.Ordinal);
        Assert.DoesNotContain("client-secret-token", Stack.ProxyLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallsApi_NeedsTheOperatorToken()
    {
        var submit = await Stack.SubmitAsync("tasks", ProxyCalls.NewRun(), await Stack.NewAccountAsync());

        using var anonymous = await Stack.Proxy.GetAsync(new Uri($"/api/calls/{submit.CallId}", UriKind.Relative));
        using var wrong = new HttpRequestMessage(HttpMethod.Get, $"/api/calls/{submit.CallId}");
        wrong.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-the-operator-token");
        using var wrongResponse = await Stack.Proxy.SendAsync(wrong);
        using var unknown = new HttpRequestMessage(HttpMethod.Get, "/api/calls/call_00000000000000000000000000000000");
        unknown.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ProxyStack.OperatorToken);
        using var unknownResponse = await Stack.Proxy.SendAsync(unknown);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongResponse.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownResponse.StatusCode);
        Assert.Equal(submit.CallId, (await Stack.CallAsync(submit.CallId!)).GetProperty("callId").GetString());
    }

    /// <summary>Sends a request line as written (no client-side normalisation) and reads the status and body.</summary>
    private async Task<(int Status, string Body)> SendRawAsync(string requestLine, string run)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Stack.ProxyPort);
        var stream = client.GetStream();
        var request = $"{requestLine}\r\nHost: 127.0.0.1:{Stack.ProxyPort}\r\nX-Fake-Run: {run}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = await reader.ReadToEndAsync();
        var statusLine = answer.Split("\r\n", 2)[0].Split(' ');
        var body = answer.Contains("\r\n\r\n", StringComparison.Ordinal) ? answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..] : "";
        return (int.Parse(statusLine[1], System.Globalization.CultureInfo.InvariantCulture), body);
    }
}
