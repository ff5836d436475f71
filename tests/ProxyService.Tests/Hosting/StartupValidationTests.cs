using System.Globalization;
using Gateway.Testing;

namespace Gateway.ProxyService.Tests.Hosting;

/// <summary>A misconfigured proxy refuses to start, saying which provider and field, never which secret.</summary>
public sealed class StartupValidationTests
{
    private const string Secret = "secret-of-the-good-provider-0451";

    [Fact]
    public async Task Start_BrokenProviderConfiguration_ExitsNamingTheProviderAndField()
    {
        var port = FreePort.Next();
        await using var proxy = TestProcess.StartDotnet(
            Launchables.ProxyService,
            ["--urls", $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"],
            new Dictionary<string, string?>
            {
                ["GOOD_KEY"] = Secret,
                ["Providers__good__BaseUrl"] = "https://good.example/v1",
                ["Providers__good__Credential__Environment"] = "GOOD_KEY",
                ["Providers__broken__Credential__Environment"] = "VARIABLE_NOBODY_SET_4711",
                ["Providers__broken__Billing__DefaultAmount"] = "0",
                ["Providers__broken__QueryRoutes__0__Path"] = "/tasks/*",
                ["Proxy__OperatorToken"] = "short",
            },
            Path.GetDirectoryName(Launchables.ProxyService));

        var exitCode = await proxy.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        var output = proxy.Output;
        Assert.Contains("Providers:broken:BaseUrl is required", output, StringComparison.Ordinal);
        Assert.Contains("Providers:broken:Credential:Environment names the variable VARIABLE_NOBODY_SET_4711, which is not set or empty", output, StringComparison.Ordinal);
        Assert.Contains("Providers:broken:Billing:DefaultAmount must be", output, StringComparison.Ordinal);
        Assert.Contains("Providers:broken:QueryRoutes:0 needs exactly one of TaskIdPathSegment", output, StringComparison.Ordinal);
        Assert.Contains("Proxy:OperatorToken must be at least 16 characters", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Providers:good", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
    }
}
