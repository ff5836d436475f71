using System.Globalization;
using System.Net;
using Gateway.PoolService.Infrastructure;
using Gateway.PoolService.Services;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.PoolService.Tests.Support;

/// <summary>
/// One PoolService replica in process, served by Kestrel on a real port (its sidecar calls it for
/// the Backend actors), with a manual policy clock, a seeded random source and captured logs.
/// </summary>
internal sealed class PoolReplica : WebApplicationFactory<Program>
{
    private readonly int _sidecarHttpPort;
    private readonly int? _sidecarGrpcPort;
    private readonly TimeProvider? _clock;
    private readonly Random? _random;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly LogCapture? _logs;

    public PoolReplica(int port, int sidecarHttpPort, TimeProvider? clock, Random? random, IReadOnlyDictionary<string, string?> settings, LogCapture? logs, int? sidecarGrpcPort = null)
    {
        _sidecarHttpPort = sidecarHttpPort;
        _sidecarGrpcPort = sidecarGrpcPort;
        _clock = clock;
        _random = random;
        _settings = settings;
        _logs = logs;
        Port = port;

        // Not UseKestrel(port): that sets the port through IServerAddressesFeature after the host is
        // built, while the entry point may already be starting Kestrel on its own thread, which then
        // refuses the change (dotnet/aspnetcore#67714). Listen options are read only when Kestrel starts.
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
    }

    public int Port { get; }

    public Uri Address => new($"http://127.0.0.1:{Port}");

    public HealthProber Prober => Services.GetRequiredService<HealthProber>();

    public BackendRegistry Registry => Services.GetRequiredService<BackendRegistry>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("DAPR_HTTP_PORT", _sidecarHttpPort.ToString(CultureInfo.InvariantCulture));
        if (_sidecarGrpcPort is { } grpcPort)
        {
            builder.UseSetting("DAPR_GRPC_PORT", grpcPort.ToString(CultureInfo.InvariantCulture));
        }

        builder.UseSetting("APP_ID", "pool");
        builder.UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", "");
        foreach (var (name, value) in _settings)
        {
            builder.UseSetting(name, value);
        }

        builder.ConfigureLogging(logging =>
        {
            logging.ClearProviders();
            if (_logs is not null)
            {
                logging.SetMinimumLevel(LogLevel.Trace);
                logging.AddProvider(_logs);
            }
        });
        builder.ConfigureTestServices(services =>
        {
            if (_clock is not null)
            {
                services.AddKeyedSingleton(PoolClock.Key, _clock);
            }

            if (_random is not null)
            {
                services.AddSingleton(new BackendPicker(_random));
            }
        });
    }
}
