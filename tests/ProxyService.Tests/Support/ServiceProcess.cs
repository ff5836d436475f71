using System.Globalization;
using System.Net;
using Gateway.Testing;

namespace Gateway.ProxyService.Tests.Support;

/// <summary>A service of the suite started as the AppHost starts it: its built dll, its port, the Dapr variables of its sidecar.</summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly HttpClient Probe = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(3) };

    private ServiceProcess(TestProcess process, int port)
    {
        Process = process;
        Port = port;
    }

    public TestProcess Process { get; }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Starts <paramref name="dll"/> on <paramref name="port"/> and waits until <paramref name="readyPath"/> answers 200.</summary>
    public static async Task<ServiceProcess> StartAsync(string dll, string appId, int port, SidecarProcess? sidecar, IReadOnlyDictionary<string, string?> settings, string readyPath = "/healthz")
    {
        var url = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["APP_ID"] = appId,
            ["ASPNETCORE_URLS"] = null,
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
        };
        if (sidecar is not null)
        {
            foreach (var (name, value) in sidecar.AppEnvironment)
            {
                environment[name] = value;
            }

            environment["DAPR_HTTP_ENDPOINT"] = sidecar.HttpEndpoint.ToString().TrimEnd('/');
        }

        foreach (var (name, value) in settings)
        {
            environment[name] = value;
        }

        var process = TestProcess.StartDotnet(dll, ["--urls", url], environment, Path.GetDirectoryName(dll));
        var service = new ServiceProcess(process, port);
        try
        {
            await service.WaitUntilReadyAsync(readyPath, TimeSpan.FromSeconds(60));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }

        return service;
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    private async Task WaitUntilReadyAsync(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"The process on port {Port} exited with {Process.ExitCode}:\n{Process.Output}");
            }

            try
            {
                using var response = await Probe.GetAsync(new Uri(Url, path));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Slow start on a busy machine.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The process on port {Port} was not ready within {timeout}:\n{Process.Output}");
            }

            await Task.Delay(100);
        }
    }
}
