using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.LocalSidecar.Tests.Actors;

namespace Gateway.LocalSidecar.Tests.SdkActors;

/// <summary>
/// The requests Dapr.Actors sends, by hand, for the places where LocalSidecar had to change to
/// serve the SDK (DAPR-SDK.md section 2), against the hand-written actor app of the contract tests.
/// </summary>
public sealed class SdkWireTests(ActorHostFixture fixture) : IClassFixture<ActorHostFixture>
{
    private readonly ActorHost _host = fixture.Host;

    private static string NewId() => "w" + Guid.NewGuid().ToString("N")[..12];

    // The SDK's default endpoint from DAPR_HTTP_PORT ends in "/", and it appends "/v1.0/...".
    private HttpRequestMessage Request(HttpMethod method, string path, string? body = null) => new(method, new Uri($"{_host.Sidecar.HttpEndpoint.ToString().TrimEnd('/')}{path}"))
    {
        Content = body is null ? null : new StringContent(body, Encoding.UTF8, "text/plain"),
    };

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, string path, string? body = null)
    {
        using var request = Request(method, path, body);
        using var response = await _host.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ActorApi_UnderADoubleSlashAndOtherUncleanPaths_IsRoutedAsTheCleanPath()
    {
        var id = NewId();
        var actor = $"//v1.0/actors/Counter/{id}";

        var method = await SendAsync(HttpMethod.Put, $"{actor}/method/echo", "\"hi\"");
        var saved = await SendAsync(HttpMethod.Put, $"{actor}/state", """[{"operation":"upsert","request":{"key":"a","value":{"x":1}}}]""");
        var read = await SendAsync(HttpMethod.Get, $"{actor}/state/a");
        var readUnclean = await SendAsync(HttpMethod.Get, $"/v1.0/./actors//Counter/{id}/x/../state/a/");
        var reminder = await SendAsync(HttpMethod.Put, $"{actor}/reminders/r", """{"dueTime":"1h","period":""}""");
        var reminderDeleted = await SendAsync(HttpMethod.Delete, $"{actor}/reminders/r");
        var timer = await SendAsync(HttpMethod.Put, $"{actor}/timers/t", """{"dueTime":"1h","callback":"c"}""");
        var timerDeleted = await SendAsync(HttpMethod.Delete, $"{actor}/timers/t");

        Assert.Equal((HttpStatusCode.OK, "\"hi\""), method);
        Assert.Equal(HttpStatusCode.NoContent, saved.Status);
        Assert.Equal((HttpStatusCode.OK, """{"x":1}"""), read);
        Assert.Equal((HttpStatusCode.OK, """{"x":1}"""), readUnclean);
        Assert.Equal(HttpStatusCode.NoContent, reminder.Status);
        Assert.Equal(HttpStatusCode.NoContent, reminderDeleted.Status);
        Assert.Equal(HttpStatusCode.NoContent, timer.Status);
        Assert.Equal(HttpStatusCode.NoContent, timerDeleted.Status);
        Assert.Single(_host.App.CallsTo("echo", id));
    }

    public static TheoryData<string, string> RefusedOperations => new()
    {
        { """{"operation":"upsert","request":{"key":"b","value":1,"metadata":{"ttlInSeconds":"60"}}}""", "ActorStateTTL" },
        { """{"operation":"upsert","request":{"value":1}}""", "missing key" },
        { """{"operation":"delete","request":{"key":""}}""", "missing key" },
    };

    [Theory]
    [MemberData(nameof(RefusedOperations))]
    public async Task StateTransaction_WithATtlOrWithoutAKey_IsRefusedWhole_AsDaprdDoes(string operation, string reason)
    {
        var id = NewId();
        var activated = await SendAsync(HttpMethod.Put, $"/v1.0/actors/Counter/{id}/method/echo", "{}");

        var refused = await SendAsync(HttpMethod.Put, $"/v1.0/actors/Counter/{id}/state", $$$"""[{"operation":"upsert","request":{"key":"a","value":1}},{{{operation}}}]""");
        var untouched = await SendAsync(HttpMethod.Get, $"/v1.0/actors/Counter/{id}/state/a");

        Assert.Equal(HttpStatusCode.OK, activated.Status);
        Assert.Equal(HttpStatusCode.InternalServerError, refused.Status);
        var error = JsonNode.Parse(refused.Body)!;
        Assert.Equal("ERR_ACTOR_STATE_TRANSACTION_SAVE", error["errorCode"]!.GetValue<string>());
        Assert.Contains(reason, error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, untouched.Status);
    }
}
