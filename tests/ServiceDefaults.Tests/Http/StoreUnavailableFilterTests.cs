using System.Net;
using System.Text.Json;
using Gateway.ServiceDefaults.Http;
using Gateway.ServiceDefaults.Tests.Http.Support;
using Microsoft.Extensions.Logging;

namespace Gateway.ServiceDefaults.Tests.Http;

/// <summary>
/// <see cref="StoreUnavailableFilter"/> over real HTTP
/// (<see cref="HttpEndpointConventionBuilderExtensions.AnswerStoreUnavailableWith"/> on a group):
/// the SDK's failures become the service's 503 with <c>Retry-After: 1</c>, logged with the
/// exception and never in the answer; other failures, and failures after the client left, are not
/// its business.
/// </summary>
public sealed class StoreUnavailableFilterTests(PlumbingApp app) : IClassFixture<PlumbingApp>
{
    private const string Category = "Gateway.ServiceDefaults.Http.StoreUnavailableFilter";

    /// <summary>The endpoint and the exception it throws.</summary>
    public static TheoryData<string, Type> StoreFailures => new()
    {
        { "/store/dapr", typeof(global::Dapr.DaprException) },
        { "/store/dapr-api", typeof(global::Dapr.DaprApiException) },
    };

    [Theory]
    [MemberData(nameof(StoreFailures))]
    public async Task InvokeAsync_DaprFailure_Answers503RetryAfterWithoutTheMessageAndLogsIt(string path, Type exception)
    {
        using var response = await app.Client.GetAsync(new Uri(path + "?id=" + Guid.NewGuid(), UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonSerializer.Deserialize<JsonElement>(text);
        Assert.Equal(PlumbingApp.StoreUnavailableType, body.GetProperty("type").GetString());
        Assert.Equal("store_unavailable", body.GetProperty("code").GetString());
        Assert.DoesNotContain(PlumbingApp.Secret, text, StringComparison.Ordinal);
        var record = Assert.Single(app.Logs.GetSnapshot(), r => r.Category == Category && r.Message.Contains(path, StringComparison.Ordinal));
        Assert.Equal(LogLevel.Error, record.Level);
        Assert.Equal(1, record.Id.Id);
        Assert.IsType(exception, record.Exception);
        Assert.Contains("GET /store/", record.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(PlumbingApp.Secret, record.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_Success_PassesTheAnswerThrough()
    {
        using var response = await app.Client.GetAsync(new Uri("/store/ok?id=" + Guid.NewGuid(), UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.Null(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task InvokeAsync_OtherFailure_IsNotCaught()
    {
        var id = Guid.NewGuid().ToString();

        using var response = await app.Client.GetAsync(new Uri("/store/other?id=" + id, UriKind.Relative));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Null(response.Headers.RetryAfter);
        Assert.True(await app.Escaped[id].Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain(app.Logs.GetSnapshot(), r => r.Category == Category && r.Message.Contains("/store/other", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvokeAsync_DaprFailureAfterTheClientLeft_IsNotAnswered()
    {
        var id = Guid.NewGuid().ToString();

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => app.Client.GetAsync(new Uri("/store/aborted?id=" + id, UriKind.Relative)));

        Assert.True(await app.Escaped.GetOrAdd(id, _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain(app.Logs.GetSnapshot(), r => r.Category == Category && r.Message.Contains("/store/aborted", StringComparison.Ordinal));
    }
}
