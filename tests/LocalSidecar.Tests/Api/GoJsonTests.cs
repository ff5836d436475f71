using System.Text;
using System.Text.Json;
using Gateway.LocalSidecar.Api;

namespace Gateway.LocalSidecar.Tests.Api;

public class GoJsonTests
{
    [Theory]
    [InlineData(0d, "0")]
    [InlineData(1d, "1")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(100d, "100")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1.5e-7, "1.5e-7")]
    [InlineData(0.000001, "0.000001")]
    [InlineData(123456.789, "123456.789")]
    [InlineData(9007199254740993d, "9007199254740992")]
    [InlineData(1.2345e300, "1.2345e+300")]
    public void FormatFloat64_MatchesGoEncodingJson(double value, string expected) =>
        Assert.Equal(expected, GoJson.FormatFloat64(value));

    [Theory]
    [InlineData("""{ "b" : 1, "a" : [true, null, "x"] }""", """{"a":[true,null,"x"],"b":1}""")]
    [InlineData("\"<tag> & \\u2028\"", "\"\\u003ctag\\u003e \\u0026 \\u2028\"")]
    [InlineData("\"quote \\\" back \\\\ tab \\t\"", "\"quote \\\" back \\\\ tab \\t\"")]
    [InlineData("\"héllo\"", "\"héllo\"")]
    [InlineData("12345678901234567890", "12345678901234567000")]
    public void Encode_ReencodesAsDaprdDoes(string input, string expected)
    {
        using var document = JsonDocument.Parse(input);

        Assert.Equal(expected, Encoding.UTF8.GetString(GoJson.Encode(document.RootElement)));
    }
}
