using System.Globalization;
using Gateway.Testing;

namespace Gateway.Billing.Bench;

/// <summary>
/// A state store, a LocalSidecar for app id <c>billing</c> and the BillingService process behind
/// it, as the AppHost runs them; torn down on dispose.
/// </summary>
internal sealed class BillingUnderTest : IAsyncDisposable
{
    /// <summary>The bench credits and reads accounts as BillingService's operator.</summary>
    public const string OperatorToken = "bench-operator-token-0123456789";

    private readonly TempFolder _folder;
    private readonly PostgresServer? _postgres;
    private readonly SidecarProcess _sidecar;
    private readonly TestProcess _service;

    private BillingUnderTest(TempFolder folder, PostgresServer? postgres, SidecarProcess sidecar, TestProcess service, Uri endpoint)
    {
        _folder = folder;
        _postgres = postgres;
        _sidecar = sidecar;
        _service = service;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public static async Task<BillingUnderTest> StartAsync(string store)
    {
        var folder = new TempFolder("billing-bench");
        PostgresServer? postgres = null;
        SidecarProcess? sidecar = null;
        try
        {
            string yaml;
            if (store == "postgresql")
            {
                postgres = await PostgresServer.StartAsync().ConfigureAwait(false);
                yaml = ComponentYaml.StateStore(StateStoreKind.PostgreSql, connection: await postgres.CreateDatabaseAsync().ConfigureAwait(false));
            }
            else
            {
                yaml = ComponentYaml.StateStore(StateStoreKind.Sqlite, connection: folder.Combine("gateway.db"), metadata: new Dictionary<string, string> { ["busyTimeout"] = "5s" });
            }

            var components = Directory.CreateDirectory(folder.Combine("components")).FullName;
            await File.WriteAllTextAsync(Path.Combine(components, "statestore.yaml"), yaml).ConfigureAwait(false);
            var port = FreePort.Next();
            sidecar = await SidecarProcess.StartAsync("billing", components, folder.Combine("registry"), port).ConfigureAwait(false);
            var service = TestProcess.StartDotnet(Launchables.BillingService, ["--urls", $"http://127.0.0.1:{port}"], new Dictionary<string, string?>
            {
                ["DAPR_HTTP_PORT"] = sidecar.HttpPort.ToString(CultureInfo.InvariantCulture),
                ["DAPR_GRPC_PORT"] = sidecar.GrpcPort.ToString(CultureInfo.InvariantCulture),
                ["APP_ID"] = "billing",
                ["Billing__OperatorToken"] = OperatorToken,
                ["Logging__LogLevel__Default"] = "Warning",
            });
            await sidecar.WaitUntilAsync("/v1.0/healthz", TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            return new BillingUnderTest(folder, postgres, sidecar, service, new Uri($"http://127.0.0.1:{port}"));
        }
        catch
        {
            if (sidecar is not null)
            {
                await sidecar.DisposeAsync().ConfigureAwait(false);
            }

            if (postgres is not null)
            {
                await postgres.DisposeAsync().ConfigureAwait(false);
            }

            folder.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _service.DisposeAsync().ConfigureAwait(false);
        await _sidecar.DisposeAsync().ConfigureAwait(false);
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync().ConfigureAwait(false);
        }

        _folder.Dispose();
    }
}
