using System.Text.Json;
using Gateway.ProxyService.Services;

namespace Gateway.ProxyService.Tests.Services;

public sealed class JsonPathTests
{
    private const string Document = """
        {
          "taskId": "t-1",
          "status": "succeeded",
          "code": 1001,
          "ok": true,
          "data": { "task_id": "inner", "items": [ { "usage": { "tokens": 10 } }, { "usage": { "tokens": 32.5 } }, { "usage": { } } ] },
          "odd name": { "x.y": "dotted" },
          "texts": [ "7", "not a number", 3 ],
          "nothing": null
        }
        """;

    [Theory]
    [InlineData("$.taskId", "t-1")]
    [InlineData("$.status", "succeeded")]
    [InlineData("$.code", "1001")]
    [InlineData("$.ok", "true")]
    [InlineData("$.data.task_id", "inner")]
    [InlineData("$['data']['task_id']", "inner")]
    [InlineData("$[\"odd name\"]['x.y']", "dotted")]
    [InlineData("$.data.items[1].usage.tokens", "32.5")]
    [InlineData("$.data.items[-3].usage.tokens", "10")]
    [InlineData("$.data.items[*].usage.tokens", "10")]
    [InlineData("$.data.*", "inner")]
    [InlineData("$.missing", null)]
    [InlineData("$.data.items[9].usage", null)]
    [InlineData("$.data", null)]
    [InlineData("$.nothing", null)]
    [InlineData("$.taskId.deeper", null)]
    public void SelectText_Paths_ReturnTheFirstScalarOrNull(string path, string? expected)
    {
        using var document = JsonDocument.Parse(Document);

        Assert.Equal(expected, JsonPath.Parse(path).SelectText(document.RootElement));
    }

    [Theory]
    [InlineData("$.data.items[*].usage.tokens", true, "42.5")]
    [InlineData("$.data.items[0].usage.tokens", true, "10")]
    [InlineData("$.texts[*]", true, "10")]
    [InlineData("$.data.items[*].usage.missing", false, "0")]
    [InlineData("$.status", false, "0")]
    public void TrySum_AddsEveryNumberSelected_AndSaysWhetherThereWasAny(string path, bool found, string sum)
    {
        using var document = JsonDocument.Parse(Document);

        var result = JsonPath.Parse(path).TrySum(document.RootElement, out var total);

        Assert.Equal(found, result);
        Assert.Equal(decimal.Parse(sum, System.Globalization.CultureInfo.InvariantCulture), total);
    }

    [Theory]
    [InlineData("")]
    [InlineData("taskId")]
    [InlineData("$.")]
    [InlineData("$..taskId")]
    [InlineData("$.a[")]
    [InlineData("$.a[?(@.x)]")]
    [InlineData("$.a[1:2]")]
    [InlineData("$x")]
    public void TryParse_OutsideTheSubset_FailsWithAReason(string path)
    {
        Assert.False(JsonPath.TryParse(path, out var parsed, out var error));
        Assert.Null(parsed);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Select_Root_IsTheDocument()
    {
        using var document = JsonDocument.Parse("[1,2]");

        Assert.Equal(JsonValueKind.Array, Assert.Single(JsonPath.Parse("$").Select(document.RootElement)).ValueKind);
    }

    [Fact]
    public void IsMultiple_OnlyWithAWildcard()
    {
        Assert.True(JsonPath.Parse("$.a[*].b").IsMultiple);
        Assert.False(JsonPath.Parse("$.a[0].b").IsMultiple);
    }
}
