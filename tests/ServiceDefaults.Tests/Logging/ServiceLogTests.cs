using System.Globalization;
using Gateway.Testing;

namespace Gateway.ServiceDefaults.Tests.Logging;

/// <summary>
/// A real service process (BillingService, no configuration, console logs as it writes them)
/// asked for a URL whose query carries secrets, as an admin token sent as <c>?token=</c> once
/// reached PoolService's log (issue #18).
/// </summary>
public sealed class ServiceLogTests
{
    private const string Token = "admin-token-2b7d9c";
    private const string ApiKey = "api-key-e41f08";

    [Fact]
    public async Task ServiceProcess_SecretsInTheQuery_NeverReachItsConsole()
    {
        var port = FreePort.Next();
        var url = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        await using var service = TestProcess.StartDotnet(Launchables.BillingService, ["--urls", url], new Dictionary<string, string?>
        {
            ["APP_ID"] = "billing",
            ["ASPNETCORE_URLS"] = null,
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
        });
        await Readiness.WaitAsync(new Uri(url + "/alive"), () => service.HasExited ? service.Output : null);
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(url) };

        using var response = await client.GetAsync(new Uri($"/alive?token={Token}&api_key={ApiKey}&safe=1", UriKind.Relative));

        var line = await service.WaitForLineAsync(
            l => l.Contains("/alive?", StringComparison.Ordinal) && l.Contains("safe=1", StringComparison.Ordinal) && l.Contains(" 200 ", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20));
        Assert.DoesNotContain(Token, service.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, service.Output, StringComparison.Ordinal);
        Assert.Contains("token=[redacted]", line, StringComparison.Ordinal);
    }
}
