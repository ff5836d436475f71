namespace Gateway.EndToEnd.Tests.Support;

/// <summary>The system's chromium (Debian's package; <c>.ci/run</c> installs it): Playwright drives it instead of downloading a browser.</summary>
public static class Chromium
{
    public static string Path =>
        Environment.GetEnvironmentVariable("GATEWAY_CHROMIUM") is { Length: > 0 } chosen ? chosen
        : new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
          ?? throw new InvalidOperationException("No chromium found (apt-get install chromium, or set GATEWAY_CHROMIUM).");
}
