using Gateway.PoolService.Model;
using Gateway.PoolService.Services;
using Gateway.PoolService.Tests.Support;

namespace Gateway.PoolService.Tests.Services;

public sealed class RegistryRulesTests
{
    [Fact]
    public void TryBackend_Minimal_FillsTheDocumentedDefaults()
    {
        var settings = new BackendSettings { Pool = "p", BaseUrl = "https://api.example.com/v1", Models = new() { ["gpt-4o"] = "gpt-4o-2024-08-06" }, Rpm = 100 };

        Assert.True(RegistryRules.TryBackend("openai-a", settings, out var draft, out var errors), string.Join("; ", errors.Keys));
        Assert.Equal(1, draft.Record.Weight);
        Assert.Equal(60, draft.Record.TimeoutSeconds);
        Assert.True(draft.Record.Enabled);
        Assert.Null(draft.Record.HealthPath);
        Assert.Equal(30, draft.Record.HealthIntervalSeconds);
        Assert.Null(draft.ApiKey);
    }

    private static readonly Dictionary<string, Action<BackendSettings>> Spoilers = new(StringComparer.Ordinal)
    {
        ["uppercase id"] = _ => { },
        ["no pool"] = s => s.Pool = null,
        ["pool with space"] = s => s.Pool = "Has Space",
        ["no baseUrl"] = s => s.BaseUrl = null,
        ["ftp baseUrl"] = s => s.BaseUrl = "ftp://example.com",
        ["baseUrl with user info"] = s => s.BaseUrl = "https://user:pw@example.com",
        ["baseUrl with query"] = s => s.BaseUrl = "https://example.com/v1?x=1",
        ["relative baseUrl"] = s => s.BaseUrl = "/relative",
        ["key with newline"] = s => s.ApiKey = "sk-with\nnewline",
        ["key with space"] = s => s.ApiKey = "sk with space",
        ["no models"] = s => s.Models = [],
        ["models null"] = s => s.Models = null,
        ["empty upstream name"] = s => s.Models = new() { ["m"] = "" },
        ["blank model name"] = s => s.Models = new() { ["  "] = "x" },
        ["price for unserved model"] = s => s.Pricing = new() { ["other"] = new PriceSettings { InputPerMillion = 1, OutputPerMillion = 2 } },
        ["negative price"] = s => s.Pricing = new() { ["m"] = new PriceSettings { InputPerMillion = -1, OutputPerMillion = 2 } },
        ["price without output"] = s => s.Pricing = new() { ["m"] = new PriceSettings { InputPerMillion = 1 } },
        ["no rpm"] = s => s.Rpm = null,
        ["rpm 0"] = s => s.Rpm = 0,
        ["rpm too high"] = s => s.Rpm = 1_000_001,
        ["weight 0"] = s => s.Weight = 0,
        ["timeout 0"] = s => s.TimeoutSeconds = 0,
        ["timeout too long"] = s => s.TimeoutSeconds = 3601,
        ["health path without slash"] = s => s.HealthPath = "health",
        ["health path climbing"] = s => s.HealthPath = "/../admin",
        ["health path with authority"] = s => s.HealthPath = "//evil.example.com/x",
        ["health path with fragment"] = s => s.HealthPath = "/a#frag",
        ["interval 0"] = s => s.HealthIntervalSeconds = 0,
        ["body id differs"] = s => s.Id = "other",
    };

    public static TheoryData<string, string, string> Malformed => new()
    {
        { "Bad_Id", "uppercase id", "id" },
        { "ok", "no pool", "pool" },
        { "ok", "pool with space", "pool" },
        { "ok", "no baseUrl", "baseUrl" },
        { "ok", "ftp baseUrl", "baseUrl" },
        { "ok", "baseUrl with user info", "baseUrl" },
        { "ok", "baseUrl with query", "baseUrl" },
        { "ok", "relative baseUrl", "baseUrl" },
        { "ok", "key with newline", "apiKey" },
        { "ok", "key with space", "apiKey" },
        { "ok", "no models", "models" },
        { "ok", "models null", "models" },
        { "ok", "empty upstream name", "models['m']" },
        { "ok", "blank model name", "models" },
        { "ok", "price for unserved model", "pricing['other']" },
        { "ok", "negative price", "pricing['m']" },
        { "ok", "price without output", "pricing['m']" },
        { "ok", "no rpm", "rpm" },
        { "ok", "rpm 0", "rpm" },
        { "ok", "rpm too high", "rpm" },
        { "ok", "weight 0", "weight" },
        { "ok", "timeout 0", "timeoutSeconds" },
        { "ok", "timeout too long", "timeoutSeconds" },
        { "ok", "health path without slash", "healthPath" },
        { "ok", "health path climbing", "healthPath" },
        { "ok", "health path with authority", "healthPath" },
        { "ok", "health path with fragment", "healthPath" },
        { "ok", "interval 0", "healthIntervalSeconds" },
        { "ok", "body id differs", "id" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void TryBackend_Malformed_FailsNamingTheField_WithoutEchoingTheKey(string id, string spoiler, string field)
    {
        var settings = Samples.Backend();
        Spoilers[spoiler](settings);

        Assert.False(RegistryRules.TryBackend(id, settings, out _, out var errors));
        Assert.Contains(field, errors.Keys);
        Assert.DoesNotContain(errors.Values.SelectMany(m => m), m => settings.ApiKey is { Length: > 0 } key && m.Contains(key, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("gpt4", "gpt-4o", true)]
    [InlineData("gpt4", "gpt4", false)]
    [InlineData("", "gpt-4o", false)]
    [InlineData("gpt4", null, false)]
    public void TryAlias_NeedsTwoDifferentModelNames(string alias, string? model, bool valid) =>
        Assert.Equal(valid, RegistryRules.TryAlias(alias, model, out _, out _));
}
