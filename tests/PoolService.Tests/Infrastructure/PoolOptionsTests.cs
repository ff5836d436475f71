using Gateway.PoolService.Infrastructure;
using Gateway.PoolService.Model;
using Gateway.PoolService.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.PoolService.Tests.Infrastructure;

public sealed class PoolOptionsTests
{
    private const string ValidKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    [Fact]
    public void Validate_Defaults_AreUsable_AndTheAdminApiIsOff()
    {
        var options = new PoolOptions();

        Assert.Empty(options.Validate());
        Assert.False(options.AdminEnabled);
    }

    [Theory]
    [InlineData(true, null, "EncryptionKey is required because backends 'a' have API keys")]
    [InlineData(false, "long-enough-admin-token", "EncryptionKey is required because the admin API is on")]
    public void Validate_WhenKeysMustBeStoredWithoutAnEncryptionKey_SaysWhyAndHow(bool keyedBackend, string? adminToken, string expected)
    {
        var options = new PoolOptions
        {
            AdminToken = adminToken,
            Pools = [new PoolSettings { Name = "primary" }],
            Backends = [Samples.Backend("a", apiKey: keyedBackend ? "sk-secret-value-123456" : null)],
        };

        var problem = Assert.Single(options.Validate());

        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.Contains("openssl rand -base64 32", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-secret", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not base64!", "EncryptionKey is not base64")]
    [InlineData("AAAA", "EncryptionKey must decode to 32 bytes, not 3")]
    public void Validate_AMalformedEncryptionKey_IsRefusedWithoutRepeatingIt(string key, string expected)
    {
        var problem = Assert.Single(new PoolOptions { EncryptionKey = key }.Validate());

        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.5, "ActorIdleTimeout must be between 1 second and 24 hours, not 00:00:00.5000000")]
    [InlineData(86401, "ActorIdleTimeout must be between 1 second and 24 hours, not 1.00:00:01")]
    [InlineData(1, null)]
    [InlineData(86400, null)]
    public void Validate_ActorIdleTimeout_IsBetweenOneSecondAndOneDay(double seconds, string? expected)
    {
        var problems = new PoolOptions { ActorIdleTimeout = TimeSpan.FromSeconds(seconds) }.Validate();

        Assert.Equal(expected is null ? [] : [expected], problems);
    }

    [Fact]
    public void Validate_NamesTheEntryIdAndFieldOfEachProblem()
    {
        var options = new PoolOptions
        {
            EncryptionKey = ValidKey,
            AdminToken = "short",
            Pools = [new PoolSettings { Name = "primary" }, new PoolSettings { Name = "primary" }],
            Backends =
            [
                Samples.Backend("good"),
                Samples.Backend("bad-rpm", rpm: 0),
                Samples.Backend("lost", pool: "nowhere"),
                Samples.Backend("good"),
            ],
            Aliases = new() { ["m"] = "other" },
            Policy = new() { CooldownBase = TimeSpan.FromHours(2) },
        };

        var problems = options.Validate();

        Assert.Contains("AdminToken must be at least 16 characters (or empty to turn the admin API off)", problems);
        Assert.Contains("Pools[1]: the pool 'primary' is listed twice", problems);
        Assert.Contains("Backends[1] ('bad-rpm'): rpm must be between 1 and 1000000", problems);
        Assert.Contains("Backends[2] ('lost'): pool 'nowhere' is not one of Pool:Pools", problems);
        Assert.Contains("Backends[3] ('good'): the id 'good' is used twice", problems);
        Assert.Contains("Aliases['m']: the alias is itself a model name of a configured backend", problems);
        Assert.Contains(problems, p => p.StartsWith("Policy:CooldownBase must be between", StringComparison.Ordinal));
    }

    [Fact]
    public void Bind_FromConfiguration_ReadsListsDictionariesAndDurations()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pool:Pools:0:Name"] = "primary",
            ["Pool:Backends:0:Id"] = "a",
            ["Pool:Backends:0:Pool"] = "primary",
            ["Pool:Backends:0:BaseUrl"] = "http://127.0.0.1:9",
            ["Pool:Backends:0:Rpm"] = "60",
            ["Pool:Backends:0:Models:gpt-4o"] = "gpt-4o-2024-08-06",
            ["Pool:Backends:0:Pricing:gpt-4o:InputPerMillion"] = "2.5",
            ["Pool:Backends:0:Pricing:gpt-4o:OutputPerMillion"] = "10",
            ["Pool:Aliases:gpt4"] = "gpt-4o",
            ["Pool:Policy:CooldownBase"] = "00:00:02",
        }).Build();
        var services = new ServiceCollection().AddOptions();
        services.AddOptions<PoolOptions>().Bind(configuration.GetSection(PoolOptions.SectionName));

        var options = services.BuildServiceProvider().GetRequiredService<IOptions<PoolOptions>>().Value;

        Assert.Empty(options.Validate());
        Assert.Equal("gpt-4o-2024-08-06", options.Backends[0].Models!["gpt-4o"]);
        Assert.Equal(2.5m, options.Backends[0].Pricing!["gpt-4o"]!.InputPerMillion);
        Assert.Equal("gpt-4o", options.Aliases["gpt4"]);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Policy.CooldownBase);
    }
}
