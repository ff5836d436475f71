using System.Net;
using Gateway.ServiceDefaults.Dapr;
using Gateway.ServiceDefaults.Tests.Dapr.Support;
using Gateway.Testing;
using Microsoft.AspNetCore.Http;

namespace Gateway.ServiceDefaults.Tests.Dapr;

/// <summary>
/// Which invocations the invocation client repeats, counted at a fake sidecar that fails on cue
/// (two retries configured: a retried call is seen three times, a call sent once is seen once).
/// </summary>
public sealed class RetryPolicyTests
{
    [Theory]
    [InlineData("GET", "typed", 3)]
    [InlineData("GET", "raw", 3)]
    [InlineData("HEAD", "raw", 1)] // a HEAD answer has no body: the sidecar's error code cannot be seen
    [InlineData("POST", "typed", 1)]
    [InlineData("PUT", "typed", 1)]
    [InlineData("DELETE", "typed", 1)]
    [InlineData("POST", "raw", 1)]
    [InlineData("GET", "raw-with-content", 1)]
    public async Task Invoke_SidecarCannotReachCallee_RetriedOnlyForGetAndHead(string method, string shape, int expectedRequests)
    {
        await using var fake = await FakeSidecar.StartAsync((context, _) => FakeSidecar.DaprError(context, 500, "ERR_DIRECT_INVOKE", "failed to invoke, id: callee, err: connection refused"));
        using var clients = new TestDaprClients(httpEndpoint: fake.Endpoint);
        var verb = new HttpMethod(method);

        if (shape == "typed")
        {
            var error = await Assert.ThrowsAsync<DaprApiException>(() => clients.Invocation.InvokeMethodAsync<Account>(verb, "callee", "m"));
            Assert.Equal("ERR_DIRECT_INVOKE", error.ErrorCode);
        }
        else
        {
            using var request = new HttpRequestMessage(verb, new Uri("m?q=1", UriKind.Relative));
            if (shape == "raw-with-content")
            {
                request.Content = new StringContent("body");
            }

            using var response = await clients.Invocation.InvokeMethodWithResponseAsync("callee", request);
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        }

        Assert.Equal(expectedRequests, fake.Requests.Count);
        Assert.All(fake.Requests, r => Assert.Equal($"{method} /v1.0/invoke/callee/method/m" + (shape == "typed" ? "" : "?q=1"), r));
    }

    [Fact]
    public async Task InvokeWithResponse_ChunkedDirectInvokeError_IsRetried()
    {
        await using var fake = await FakeSidecar.StartAsync((context, _) =>
        {
            context.Response.StatusCode = 500;
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("""{"errorCode":"ERR_DIRECT_INVOKE","message":"failed to invoke, id: callee, err: reset"}""");
        });
        using var clients = new TestDaprClients(httpEndpoint: fake.Endpoint);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("m", UriKind.Relative));

        using var response = await clients.Invocation.InvokeMethodWithResponseAsync("callee", request);

        Assert.Equal(3, fake.Requests.Count);
        Assert.Contains("ERR_DIRECT_INVOKE", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/json", 20_000)]
    [InlineData("application/json", 16_385)]
    [InlineData("application/json", 100)]
    [InlineData("text/plain", 100)]
    public async Task InvokeWithResponse_CalleeOwn500_IsReturnedWhole_NotRetried(string contentType, int size)
    {
        var body = "{\"title\":\"" + new string('x', size - 12) + "\"}";
        await using var fake = await FakeSidecar.StartAsync(async (context, _) =>
        {
            context.Response.StatusCode = 500;
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body[..(body.Length / 2)]);
            await context.Response.Body.FlushAsync();
            await context.Response.WriteAsync(body[(body.Length / 2)..]);
        });
        using var clients = new TestDaprClients(httpEndpoint: fake.Endpoint);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("m", UriKind.Relative));

        using var response = await clients.Invocation.InvokeMethodWithResponseAsync("callee", request);

        Assert.Single(fake.Requests);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("GET", "typed", 3)]
    [InlineData("HEAD", "raw", 3)]
    [InlineData("GET", "raw", 3)]
    [InlineData("POST", "typed", 1)]
    [InlineData("PATCH", "raw", 1)]
    public async Task Invoke_ConnectionDropped_RetriedOnlyForGetAndHead(string method, string shape, int expectedRequests)
    {
        await using var fake = await FakeSidecar.StartAsync((context, _) =>
        {
            context.Abort();
            return Task.CompletedTask;
        });
        using var clients = new TestDaprClients(httpEndpoint: fake.Endpoint);
        var verb = new HttpMethod(method);

        var error = shape == "typed"
            ? await Assert.ThrowsAsync<DaprApiException>(() => clients.Invocation.InvokeMethodAsync<Account>(verb, "callee", "m"))
            : await Assert.ThrowsAsync<DaprApiException>(async () =>
            {
                using var request = new HttpRequestMessage(verb, new Uri("m", UriKind.Relative));
                using var response = await clients.Invocation.InvokeMethodWithResponseAsync("callee", request);
            });

        Assert.Null(error.StatusCode);
        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.Equal(expectedRequests, fake.Requests.Count);
    }

    [Fact]
    public async Task Invoke_CalleeOwn503_IsNotRetried()
    {
        await using var fake = await FakeSidecar.StartAsync((context, _) =>
        {
            context.Response.StatusCode = 503;
            return Task.CompletedTask;
        });
        using var clients = new TestDaprClients(httpEndpoint: fake.Endpoint);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("m", UriKind.Relative));

        using var response = await clients.Invocation.InvokeMethodWithResponseAsync("callee", request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Single(fake.Requests);
    }
}
