using System.Net;
using System.Text;
using Gateway.ServiceDefaults.Http;
using Gateway.ServiceDefaults.Tests.Http.Support;
using Gateway.Testing;

namespace Gateway.ServiceDefaults.Tests.Http;

/// <summary>
/// <see cref="JsonBodyReader"/> over real HTTP: what it reads, what it refuses and why, and that no
/// refusal echoes the body (every refused body carries <see cref="PlumbingApp.Secret"/>).
/// </summary>
public sealed class JsonBodyReaderTests(PlumbingApp app) : IClassFixture<PlumbingApp>
{
    private const string Json = "application/json";
    private const string Body = JsonBodyRefusal.BodyField;

    /// <summary>Content-Type (null: none), body; read as an <see cref="Order"/> with this amount and note.</summary>
    public static TheoryData<string?, string, long?, string?> Accepted => new()
    {
        { Json, """{"amount":5,"note":"n"}""", 5, "n" },
        { null, """{"amount":5,"note":"n"}""", 5, "n" },
        { "application/json; charset=utf-8", """{"amount":5}""", 5, null },
        { "application/merge-patch+json", """{"note":"n"}""", null, "n" },
        { Json, """{"Amount":7}""", 7, null },
        { Json, """{"amount":1,"line":{"sku":"a"},"extra":{"sku":"b","amount":2}}""", 1, null },
        { Json, """{"amount":1,"extra":[{"a":1},{"a":2}],"more":[{"amount":3}]}""", 1, null },
        { Json, """{"note":"\u00e9\ud83d\ude00"}""", null, "é😀" },
        { Json, """ {"amount":1} """, 1, null },
        { Json, "{}", null, null },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public async Task ReadAsync_StrictJsonObject_ReadsIt(string? contentType, string body, long? amount, string? note)
    {
        var answer = await PostAsync("/json/order", contentType, body);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(amount, answer.Read.Amount);
        Assert.Equal(note, answer.Read.Note);
    }

    /// <summary>Content-Type, body; refused for this reason, about this field, with a message containing this.</summary>
    public static TheoryData<string?, string, JsonBodyRefusalReason, string, string> Refused => new()
    {
        { "text/plain", """{"amount":5,"note":"zq_secret"}""", JsonBodyRefusalReason.NotJsonContentType, Body, "must be JSON" },
        { "application/x-www-form-urlencoded", "amount=5&note=zq_secret", JsonBodyRefusalReason.NotJsonContentType, Body, "must be JSON" },
        { Json, "", JsonBodyRefusalReason.Empty, Body, "is required" },
        { Json, "null", JsonBodyRefusalReason.Null, Body, "not null" },
        { Json, """["zq_secret"]""", JsonBodyRefusalReason.WrongShape, Body, "must be a JSON object" },
        { Json, "\"zq_secret\"", JsonBodyRefusalReason.WrongShape, Body, "must be a JSON object" },
        { Json, """{"amount":"5","note":"zq_secret"}""", JsonBodyRefusalReason.WrongShape, "amount", WholeAmountConverter.Rule },
        { Json, """{"AMOUNT":5.5,"note":"zq_secret"}""", JsonBodyRefusalReason.WrongShape, "amount", WholeAmountConverter.Rule },
        { Json, """{"note":["zq_secret"]}""", JsonBodyRefusalReason.WrongShape, "note", "wrong JSON type" },
        { Json, """{"line":{"sku":["zq_secret"]}}""", JsonBodyRefusalReason.WrongShape, "line", "wrong JSON type" },
        { Json, """{"amount":1,"amount":2,"note":"zq_secret"}""", JsonBodyRefusalReason.DuplicateField, "amount", "more than once" },
        { Json, """{"Amount":1,"aMOUNT":1,"note":"zq_secret"}""", JsonBodyRefusalReason.DuplicateField, "amount", "more than once" },
        { Json, """{"zq_secret":1,"zq_secret":2}""", JsonBodyRefusalReason.DuplicateField, Body, "more than once" },
        { Json, """{"line":{"sku":"a","SKU":"zq_secret"}}""", JsonBodyRefusalReason.DuplicateField, Body, "more than once" },
        { Json, """{"extra":[{"zq_secret":1,"zq_secret":2}]}""", JsonBodyRefusalReason.DuplicateField, Body, "more than once" },
        { Json, """{"amount":1}zq_secret""", JsonBodyRefusalReason.Malformed, Body, "is not valid JSON (line 1, byte 13)" },
        { Json, """{"amount":1} {"amount":2}""", JsonBodyRefusalReason.Malformed, Body, "is not valid JSON" },
        { Json, """{"note":"zq_secret""", JsonBodyRefusalReason.Malformed, Body, "is not valid JSON" },
        { Json, """{zq_secret:1}""", JsonBodyRefusalReason.Malformed, Body, "is not valid JSON" },
        { Json, """{"amount":1,}""", JsonBodyRefusalReason.Malformed, Body, "is not valid JSON" },
        { Json, """{"amount":1 /* zq_secret */}""", JsonBodyRefusalReason.Malformed, Body, "is not valid JSON" },
        { Json, """{"note":"zq_secret\ud800"}""", JsonBodyRefusalReason.Malformed, Body, "not valid text" },
        { Json, """{"\udc00zq_secret":1}""", JsonBodyRefusalReason.Malformed, Body, "not valid text" },
        { Json, """{"zq_secret":""" + new string('[', 70) + new string(']', 70) + "}", JsonBodyRefusalReason.Malformed, Body, "is not valid JSON" },
        { Json, """{"amount":1,"amount":2,"note":"zq_secret""", JsonBodyRefusalReason.Malformed, Body, "is not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task ReadAsync_NotOneStrictJsonObject_RefusesWithoutEchoingTheBody(string? contentType, string body, JsonBodyRefusalReason reason, string field, string message)
    {
        var answer = await PostAsync("/json/order", contentType, body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.Status);
        Assert.Equal(reason.ToString(), answer.Read.Reason);
        Assert.Equal(field, answer.Read.Field);
        Assert.Contains(message, answer.Read.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(PlumbingApp.Secret, answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_InvalidUtf8_RefusesAsMalformed()
    {
        using var content = new ByteArrayContent([.. "{\"note\":\""u8, 0xC3, 0x28, .. "\"}"u8]);
        content.Headers.ContentType = new(Json);

        var answer = await SendAsync("/json/order", content);

        Assert.Equal(JsonBodyRefusalReason.Malformed.ToString(), answer.Read.Reason);
        Assert.Contains("not UTF-8", answer.Read.Message, StringComparison.Ordinal);
    }

    /// <summary>Body size, sent with a Content-Length (else chunked), and whether it is read.</summary>
    public static TheoryData<int, bool, bool> Sizes => new()
    {
        { PlumbingApp.MaxBytes, true, true },
        { PlumbingApp.MaxBytes, false, true },
        { PlumbingApp.MaxBytes + 1, true, false },
        { PlumbingApp.MaxBytes + 1, false, false },
        { 10 * PlumbingApp.MaxBytes, false, false },
        { 100_000, true, false },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task ReadAsync_BodySize_RefusedPastMaxBytes(int size, bool withLength, bool read)
    {
        var body = NoteOfSize(size);
        using HttpContent content = withLength ? new ByteArrayContent(body) : new StreamContent(new UnknownLengthStream(body));
        content.Headers.ContentType = new(Json);

        var answer = await SendAsync("/json/order", content);

        if (read)
        {
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            Assert.Equal(size - """{"note":""}""".Length, answer.Read.Note?.Length);
        }
        else
        {
            Assert.Equal(JsonBodyRefusalReason.TooLarge.ToString(), answer.Read.Reason);
            Assert.Equal($"must be at most {PlumbingApp.MaxBytes} bytes", answer.Read.Message);
        }
    }

    [Fact]
    public async Task ReadAsync_ContentLengthPastMaxBytes_RefusedBeforeTheBodyIsSent()
    {
        await using var connection = await RawHttp.ConnectAsync(app.Port);
        await connection.SendAsync($"POST /json/order HTTP/1.1\r\nHost: x\r\nContent-Type: {Json}\r\nContent-Length: 1000000\r\n\r\n");

        var response = await connection.ReadResponseAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(422, response.Status);
        Assert.Contains(nameof(JsonBodyRefusalReason.TooLarge), response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_ServerBodyLimitBelowMaxBytes_RefusesAsTooLarge()
    {
        using var content = new StreamContent(new UnknownLengthStream(NoteOfSize(PlumbingApp.ServerLimit + 50)));
        content.Headers.ContentType = new(Json);

        var answer = await SendAsync("/json/server-limit", content);

        Assert.Equal(JsonBodyRefusalReason.TooLarge.ToString(), answer.Read.Reason);
    }

    /// <summary>Content-Type, body; read as a JSON object (case-sensitive names, any Content-Type) with this many properties, or refused for this reason.</summary>
    public static TheoryData<string?, string, int?, JsonBodyRefusalReason?> Objects => new()
    {
        { "text/plain", """{"a":1}""", 1, null },
        { Json, """{"a":1,"A":2}""", 2, null },
        { Json, """{"a":{"b":1},"c":{"b":2}}""", 2, null },
        { Json, """{"a":1,"a":2}""", null, JsonBodyRefusalReason.DuplicateField },
        { Json, """{"a":{"b":1,"b":1}}""", null, JsonBodyRefusalReason.DuplicateField },
        { Json, "[1]", null, JsonBodyRefusalReason.WrongShape },
        { Json, "{\"a\":1}{}", null, JsonBodyRefusalReason.Malformed },
    };

    [Theory]
    [MemberData(nameof(Objects))]
    public async Task ReadAsync_JsonObjectWithCaseSensitiveOptions_FollowsTheOptions(string? contentType, string body, int? properties, JsonBodyRefusalReason? reason)
    {
        var answer = await PostAsync("/json/object", contentType, body);

        Assert.Equal(properties, answer.Read.Properties);
        Assert.Equal(reason?.ToString(), answer.Read.Reason);
    }

    [Fact]
    public void Constructor_MaxBytesBelowOne_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new JsonBodyReader(new JsonBodyOptions { MaxBytes = 0 }));
    }

    [Fact]
    public void StrictWeb_NumbersFromStrings_AreRefused()
    {
        Assert.Throws<System.Text.Json.JsonException>(() => System.Text.Json.JsonSerializer.Deserialize<OrderLineCount>("""{"count":"5"}""", JsonBodyOptions.StrictWeb));
        Assert.True(JsonBodyOptions.StrictWeb.IsReadOnly);
        Assert.True(JsonBodyOptions.StrictWeb.PropertyNameCaseInsensitive);
    }

    private sealed record OrderLineCount(int Count);

    private static byte[] NoteOfSize(int size) => Encoding.UTF8.GetBytes("{\"note\":\"" + new string('x', size - """{"note":""}""".Length) + "\"}");

    private Task<Answer> PostAsync(string path, string? contentType, string body)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        }

        return SendAsync(path, content);
    }

    private async Task<Answer> SendAsync(string path, HttpContent content)
    {
        using var response = await app.Client.PostAsync(new Uri(path, UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.UnprocessableEntity, $"{(int)response.StatusCode}: {text}");
        return new Answer(response.StatusCode, text, System.Text.Json.JsonSerializer.Deserialize<ReadAnswer>(text, JsonBodyOptions.StrictWeb)!);
    }

    private sealed record Answer(HttpStatusCode Status, string Text, ReadAnswer Read);

    /// <summary>A body whose length is not known up front, so that it is sent chunked.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
