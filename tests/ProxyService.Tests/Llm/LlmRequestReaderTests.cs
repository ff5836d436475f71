using System.Text;
using System.Text.Json;
using Gateway.ProxyService.Services.Llm;
using Gateway.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Gateway.ProxyService.Tests.Llm;

public sealed class LlmRequestReaderTests
{
    private static readonly LlmRequestReader Reader = new(Options.Create(new LlmOptions { MaxRequestBodyBytes = 1024 }));

    public static TheoryData<string, string, bool> Bodies => new()
    {
        { "an object", """{"model":"m","stream":true}""", true },
        { "text beyond ASCII, a surrogate pair escaped", """{"content":"héllo 🙂 \u00e9 \ud83d\ude42"}""", true },
        { "white space around", " \r\n{\"a\":1}\n ", true },
        { "one name in two objects", """{"a":{"b":1},"c":{"b":2}}""", true },
        { "names differing in case", """{"A":1,"a":2}""", true },
        { "64 deep", "{\"a\":" + new string('[', 63) + new string(']', 63) + "}", true },
        { "duplicate name", """{"model":"a","model":"b"}""", false },
        { "duplicate name, nested", """{"a":{"b":1,"b":2}}""", false },
        { "duplicate name, in an array", """{"a":[{"b":1},{"b":2,"b":3}]}""", false },
        { "duplicate name, escaped differently", """{"model":"a","mod\u0065l":"b"}""", false },
        { "lone surrogate in a value", """{"a":"x\ud800"}""", false },
        { "lone surrogate in a name", """{"\udc00":1}""", false },
        { "trailing text", """{"a":1} x""", false },
        { "two values", """{"a":1}{"b":2}""", false },
        { "trailing comma", """{"a":1,}""", false },
        { "comment", """{"a":1 /* c */}""", false },
        { "65 deep", "{\"a\":" + new string('[', 64) + new string(']', 64) + "}", false },
        { "an array", "[1,2]", false },
        { "a string", "\"text\"", false },
        { "null", "null", false },
        { "nothing", "", false },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task ReadAsync_Table(string scenario, string body, bool accepted)
    {
        var read = await Reader.ReadAsync(Request(Encoding.UTF8.GetBytes(body), "text/plain"), CancellationToken.None);

        Assert.True(accepted == read.TryGetValue(out var json, out var refusal) && accepted == json is not null && accepted == refusal is null, scenario);
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xE2, 0x82 })]
    public async Task ReadAsync_InvalidUtf8InAString_IsRefused(byte[] invalid)
    {
        byte[] body = [.. "{\"content\":\"a"u8, .. invalid, .. "\"}"u8];

        var read = await Reader.ReadAsync(Request(body, null), CancellationToken.None);

        Assert.False(read.TryGetValue(out _, out _));
    }

    [Fact]
    public async Task ErrorFor_BodyOverTheLimit_Is413RequestTooLarge()
    {
        var read = await Reader.ReadAsync(Request(Encoding.UTF8.GetBytes($$"""{"a":"{{new string('x', 1024)}}"}"""), null), CancellationToken.None);

        Assert.False(read.TryGetValue(out _, out var refusal));
        var error = Reader.ErrorFor(refusal);
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, error.StatusCode);
        Assert.Equal("request_too_large", error.Code);
    }

    [Fact]
    public async Task ErrorFor_UnreadableBody_Is400InvalidRequestWithoutTheBody()
    {
        var read = await Reader.ReadAsync(Request("""{"model":"secret-marker","model":"b"}"""u8.ToArray(), null), CancellationToken.None);

        Assert.False(read.TryGetValue(out _, out var refusal));
        var error = Reader.ErrorFor(refusal);
        var context = new DefaultHttpContext { Response = { Body = new MemoryStream() } };
        await error.ExecuteAsync(context);
        var answer = JsonDocument.Parse(((MemoryStream)context.Response.Body).ToArray()).RootElement.GetProperty("error");
        Assert.Equal(StatusCodes.Status400BadRequest, context.Response.StatusCode);
        Assert.Equal("invalid_request", answer.GetProperty("code").GetString());
        Assert.Equal(LlmRequestReader.UnreadableMessage, answer.GetProperty("message").GetString());
        Assert.DoesNotContain("secret-marker", answer.GetRawText(), StringComparison.Ordinal);
    }

    private static HttpRequest Request(byte[] body, string? contentType)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentType = contentType;
        return context.Request;
    }
}
