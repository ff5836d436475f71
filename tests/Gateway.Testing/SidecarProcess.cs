using System.Net;

namespace Gateway.Testing;

/// <summary>A LocalSidecar started with daprd's flags, as the AppHost starts it.</summary>
public sealed class SidecarProcess : IAsyncDisposable
{
    private readonly TestProcess _process;

    private SidecarProcess(TestProcess process, string appId, int httpPort, int grpcPort)
    {
        _process = process;
        AppId = appId;
        HttpPort = httpPort;
        HttpEndpoint = new Uri($"http://127.0.0.1:{httpPort}");
        GrpcPort = grpcPort;
        GrpcEndpoint = new Uri($"http://127.0.0.1:{grpcPort}");
    }

    public string AppId { get; }

    public int HttpPort { get; }

    public Uri HttpEndpoint { get; }

    /// <summary>The gRPC API port (<c>--dapr-grpc-port</c>), what a service gets as <c>DAPR_GRPC_PORT</c>.</summary>
    public int GrpcPort { get; }

    public Uri GrpcEndpoint { get; }

    /// <summary>The environment daprd gives its app: <c>DAPR_HTTP_PORT</c> and <c>DAPR_GRPC_PORT</c>.</summary>
    public IReadOnlyDictionary<string, string> AppEnvironment => PortsEnvironment(HttpPort, GrpcPort);

    /// <summary>The variables daprd gives its app for a sidecar on these ports.</summary>
    public static IReadOnlyDictionary<string, string> PortsEnvironment(int httpPort, int grpcPort) => new Dictionary<string, string>
    {
        ["DAPR_HTTP_PORT"] = httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["DAPR_GRPC_PORT"] = grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public TestProcess Process => _process;

    /// <summary>
    /// Starts a sidecar and waits until it answers <c>/v1.0/healthz/outbound</c> (components loaded);
    /// <c>/v1.0/healthz</c> additionally waits for the app, which a test may start later.
    /// </summary>
    public static async Task<SidecarProcess> StartAsync(
        string appId,
        string resourcesPath,
        string registryPath,
        int? appPort = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        int? httpPort = null,
        string? workingDirectory = null,
        int? grpcPort = null)
    {
        // A free port can be taken by another process between FreePort.Next() and the sidecar's bind;
        // ports this helper chose itself are chosen again then, a caller's ports never are.
        for (var attempt = 1; ; attempt++)
        {
            var port = httpPort ?? FreePort.Next();
            var grpc = grpcPort ?? FreePort.Next();
            var args = new List<string>
            {
                "--app-id", appId,
                "--dapr-http-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--dapr-grpc-port", grpc.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--resources-path", resourcesPath,
                "--log-level", "info",
            };
            if (appPort is { } app)
            {
                args.AddRange(["--app-port", app.ToString(System.Globalization.CultureInfo.InvariantCulture), "--app-channel-address", "127.0.0.1"]);
            }

            var env = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>()) { ["LOCALSIDECAR_REGISTRY"] = registryPath };
            var process = TestProcess.StartDotnet(Launchables.LocalSidecar, args, env, workingDirectory);
            var sidecar = new SidecarProcess(process, appId, port, grpc);
            try
            {
                await sidecar.WaitUntilAsync("/v1.0/healthz/outbound", TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                return sidecar;
            }
            catch (InvalidOperationException) when (attempt < 3 && LostAChosenPort(process.Output, httpPort is null ? port : null, grpcPort is null ? grpc : null))
            {
                await process.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await process.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    private static bool LostAChosenPort(string output, int? http, int? grpc) =>
        output.Contains("address already in use", StringComparison.Ordinal)
        && new[] { http, grpc }.Any(p => p is { } port && output.Contains($":{port}:", StringComparison.Ordinal));

    /// <summary>Waits until <paramref name="path"/> answers 204 (e.g. <c>/v1.0/healthz</c> once the app listens).</summary>
    public async Task WaitUntilAsync(string path, TimeSpan timeout)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"LocalSidecar '{AppId}' exited with {_process.ExitCode}:\n{_process.Output}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri(HttpEndpoint, path)).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.NoContent)
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
                // Slow start on a busy machine; try again.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"LocalSidecar '{AppId}' did not answer {path} with 204 within {timeout}:\n{_process.Output}");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
