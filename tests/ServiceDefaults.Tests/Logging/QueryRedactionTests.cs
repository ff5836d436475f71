using Gateway.ServiceDefaults.Logging;

namespace Gateway.ServiceDefaults.Tests.Logging;

public sealed class QueryRedactionTests
{
    public static TheoryData<string, string> Urls => new()
    {
        { "/v1/models", "/v1/models" },
        { "/alive?token=t1&api_key=k1&safe=1", "/alive?token=[redacted]&api_key=[redacted]&safe=1" },
        { "/x?API-KEY=a&ApiKey=b&apikey=c&key=d&access_token=e&id_token=f&client_secret=g&password=h&pwd=i", "/x?API-KEY=[redacted]&ApiKey=[redacted]&apikey=[redacted]&key=[redacted]&access_token=[redacted]&id_token=[redacted]&client_secret=[redacted]&password=[redacted]&pwd=[redacted]" },
        { "/s3?X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-Security-Token=c&X-Amz-Date=20261201", "/s3?X-Amz-Credential=[redacted]&X-Amz-Signature=[redacted]&X-Amz-Security-Token=[redacted]&X-Amz-Date=20261201" },
        { "/blob?sv=2024&sig=abc%2Bdef&se=2026", "/blob?sv=2024&sig=[redacted]&se=2026" },
        { "/callback?code=c0de&state=xyz", "/callback?code=[redacted]&state=xyz" },
        { "/x?api%5Fkey=a&%54OKEN=b&api+key=c", "/x?api%5Fkey=[redacted]&%54OKEN=[redacted]&api+key=[redacted]" },
        { "/x?token=&token&=v&&safe=1", "/x?token=[redacted]&token&=v&&safe=1" },
        { "/x?keyword=cats&model=gpt&stream=true", "/x?keyword=cats&model=gpt&stream=true" },
        { "/x?sortkey=name", "/x?sortkey=[redacted]" },
        { "https://user:pw@host:8443/p?key=k&page=2#access_token=t&state=s", "https://[redacted]@host:8443/p?key=[redacted]&page=2#access_token=[redacted]&state=s" },
        { "http://host/p?safe=1#section-2", "http://host/p?safe=1#section-2" },
        { "http://user@host", "http://[redacted]@host" },
        { "", "" },
    };

    [Theory]
    [MemberData(nameof(Urls))]
    public void Redact_BuiltInNames_HidesTheirValuesOnly(string url, string expected) =>
        Assert.Equal(expected, QueryRedaction.BuiltIn.Redact(url));

    [Theory]
    [InlineData("/x?ident=v&safe=1", "/x?ident=[redacted]&safe=1")]
    [InlineData("/x?IDENT=v", "/x?IDENT=[redacted]")]
    [InlineData("/x?identity=v", "/x?identity=v")]
    public void Redact_ConfiguredName_IsHiddenWhateverItLooksLike(string url, string expected) =>
        Assert.Equal(expected, new QueryRedaction(["ident"]).Redact(url));
}
