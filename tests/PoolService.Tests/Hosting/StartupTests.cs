using System.Net;
using Gateway.PoolService.Infrastructure;
using Gateway.PoolService.Tests.Support;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.PoolService.Tests.Hosting;

/// <summary>What PoolService does at start with its configuration; no sidecar needed to refuse or to answer 404.</summary>
public sealed class StartupTests
{
    private const string ValidKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    private static Dictionary<string, string?> WithBackend(string? apiKey) => new()
    {
        ["Pool:Pools:0:Name"] = "primary",
        ["Pool:Backends:0:Id"] = "a",
        ["Pool:Backends:0:Pool"] = "primary",
        ["Pool:Backends:0:BaseUrl"] = "http://127.0.0.1:9/v1",
        ["Pool:Backends:0:Models:m"] = "m",
        ["Pool:Backends:0:Rpm"] = "10",
        ["Pool:Backends:0:ApiKey"] = apiKey,
    };

    [Fact]
    public async Task AdminApi_WithoutAToken_IsOff_EveryRouteAnswers404()
    {
        await using var replica = new PoolReplica(FreePort.Next(), FreePort.Next(), null, null, new Dictionary<string, string?>(), null);
        replica.StartServer();
        using var api = new PoolApi(new HttpClient { BaseAddress = replica.Address }, "any-token-at-all-really");

        var answers = new[]
        {
            await api.SendAsync(HttpMethod.Get, "/admin/backends", null),
            await api.SendAsync(HttpMethod.Put, "/admin/pools/p", new { order = 1 }),
            await api.SendAsync(HttpMethod.Get, "/admin/aliases", null, token: ""),
        };

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.NotFound, a.Status));
    }

    [Theory]
    [InlineData(null, "MDEy", "Pool:EncryptionKey must decode to 32 bytes")]
    [InlineData(null, "%%%", "Pool:EncryptionKey is not base64")]
    [InlineData("sk-configured-secret-0123456789", null, "Pool:EncryptionKey is required because backends 'a' have API keys")]
    [InlineData(null, ValidKey, null)]
    public void Start_RefusesWithAClearMessage_WhenTheEncryptionKeyIsNeededAndMissingOrMalformed(string? apiKey, string? encryptionKey, string? expected)
    {
        var settings = WithBackend(apiKey);
        settings["Pool:EncryptionKey"] = encryptionKey;
        using var replica = new PoolReplica(FreePort.Next(), FreePort.Next(), null, null, settings, null);

        var failure = Record.Exception(replica.StartServer);

        if (expected is null)
        {
            Assert.Null(failure);
            return;
        }

        var validation = Assert.IsType<OptionsValidationException>(failure is AggregateException aggregate ? aggregate.InnerException : failure);
        Assert.Contains(validation.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
        Assert.DoesNotContain("configured-secret", validation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_AsAProcess_WithKeysButNoEncryptionKey_ExitsNamingTheSettingAndTheBackend()
    {
        var environment = WithBackend("sk-configured-secret-0123456789").ToDictionary(e => e.Key.Replace(":", "__", StringComparison.Ordinal), e => e.Value);
        environment["DAPR_HTTP_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var process = TestProcess.StartDotnet(Launchables.PoolService, ["--urls", $"http://127.0.0.1:{FreePort.Next()}"], environment);

        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Pool:EncryptionKey is required because backends 'a' have API keys", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("configured-secret", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_WithAnInvalidBackend_NamesItsEntryIdAndField()
    {
        var settings = WithBackend(null);
        settings["Pool:Backends:0:Rpm"] = "0";
        settings["Pool:Backends:0:BaseUrl"] = "not a url";
        using var replica = new PoolReplica(FreePort.Next(), FreePort.Next(), null, null, settings, null);

        var failure = Record.Exception(replica.StartServer);

        var validation = Assert.IsType<OptionsValidationException>(failure is AggregateException aggregate ? aggregate.InnerException : failure);
        Assert.Contains("Pool:Backends[0] ('a'): rpm must be between 1 and 1000000", validation.Failures);
        Assert.Contains(validation.Failures, f => f.StartsWith("Pool:Backends[0] ('a'): baseUrl must be an absolute http or https URL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SettingsFile_TheDemoSample_IsValid_AndDefinesTwoPoolsServingOneModel()
    {
        var sample = Path.Combine(Launchables.RepositoryRoot, "AppHost", "samples", "pools.json");
        await using var replica = new PoolReplica(FreePort.Next(), FreePort.Next(), null, null, new Dictionary<string, string?>
        {
            [PoolServiceExtensions.SettingsFileKey] = sample,
            ["Pool:AdminToken"] = "demo-admin-token-0123456789",
            ["Pool:EncryptionKey"] = ValidKey,
        }, null);
        replica.StartServer();

        var options = replica.Services.GetRequiredService<IOptions<PoolOptions>>().Value;

        Assert.Equal(["primary", "fallback"], options.Pools.Select(p => p.Name));
        Assert.Equal(["primary", "fallback"], options.Backends.Select(b => b.Pool));
        Assert.All(options.Backends, b => Assert.Equal("gpt-4o-mini", Assert.Single(b.Models!.Keys)));
        Assert.Equal("gpt-4o-mini", options.Aliases["mini"]);
    }
}
