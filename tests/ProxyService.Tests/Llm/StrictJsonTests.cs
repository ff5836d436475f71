using System.Text;
using Gateway.ProxyService.Services.Llm;

namespace Gateway.ProxyService.Tests.Llm;

public sealed class StrictJsonTests
{
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
    public void TryParseObject_Table(string scenario, string body, bool accepted) =>
        Assert.True(accepted == StrictJson.TryParseObject(Encoding.UTF8.GetBytes(body), out var json) && accepted == json is not null, scenario);

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xE2, 0x82 })]
    public void TryParseObject_InvalidUtf8InAString_IsRefused(byte[] invalid)
    {
        byte[] body = [.. "{\"content\":\"a"u8, .. invalid, .. "\"}"u8];

        Assert.False(StrictJson.TryParseObject(body, out _));
    }
}
