using Microsoft.Extensions.Time.Testing;
using System.Security.Cryptography;
using Gateway.Testing;

namespace Gateway.PoolService.Tests.Support;

/// <summary>
/// One in-process PoolService replica (manual policy clock, seeded picker, captured logs and
/// activities) beside a real LocalSidecar whose state store (registry, usage, actor state) is
/// SQLite in a temp folder. Shared by the tests of the <see cref="SharedPool"/>; each test
/// owns its pools, backends and models (names from <see cref="Name"/>).
/// </summary>
public sealed class PoolFixture : IAsyncLifetime
{
    public const string AdminToken = "test-admin-token-0123456789";

    private readonly TempFolder _folder = new("pool-fixture");
    private PoolReplica? _replica;
    private SidecarProcess? _sidecar;

    public static string EncryptionKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    internal FakeTimeProvider Clock { get; } = TestClock.Create();

    internal LogCapture Logs { get; } = new();

    internal ActivityCapture Activities { get; } = new();

    internal PoolReplica Replica => _replica ?? throw new InvalidOperationException("not started");

    public SidecarProcess Sidecar => _sidecar ?? throw new InvalidOperationException("not started");

    /// <summary>A client with the admin token.</summary>
    public PoolApi Api { get; private set; } = null!;

    /// <summary>A fresh name for a test's own pool, backend or model.</summary>
    public static string Name(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 64)];

    public async Task InitializeAsync()
    {
        var resources = Directory.CreateDirectory(_folder.Combine("resources")).FullName;
        await File.WriteAllTextAsync(
            Path.Combine(resources, "statestore.yaml"),
            ComponentYaml.StateStore(StateStoreKind.Sqlite, "statestore", _folder.Combine("state.db"), actorStateStore: true));
        var sidecarPort = FreePort.Next();
        var sidecarGrpcPort = FreePort.Next();
        _replica = new PoolReplica(FreePort.Next(), sidecarPort, Clock, new Random(1234), Settings(), Logs, sidecarGrpcPort);
        _replica.StartServer();
        _sidecar = await SidecarProcess.StartAsync("pool", resources, Directory.CreateDirectory(_folder.Combine("registry")).FullName, _replica.Port, httpPort: sidecarPort, grpcPort: sidecarGrpcPort);
        await _sidecar.WaitUntilAsync("/v1.0/healthz", TimeSpan.FromSeconds(30));
        Api = new PoolApi(new HttpClient { BaseAddress = _replica.Address, Timeout = TimeSpan.FromSeconds(30) }, AdminToken);
        await Replica.Registry.Seeded.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        Api?.Dispose();
        if (_sidecar is not null)
        {
            await _sidecar.DisposeAsync();
        }

        if (_replica is not null)
        {
            await _replica.DisposeAsync();
        }

        Activities.Dispose();
        _folder.Dispose();
    }

    private static Dictionary<string, string?> Settings() => new()
    {
        ["Pool:AdminToken"] = AdminToken,
        ["Pool:EncryptionKey"] = EncryptionKey,

        // The tests probe by hand (HealthProber.ProbeDueAsync) at times of their choosing.
        ["Pool:Probing:Enabled"] = "false",
        ["Pool:Probing:Timeout"] = "00:00:01",
        ["Pool:Policy:UnhealthyAfterProbeFailures"] = "2",
    };
}

[CollectionDefinition(Name)]
public sealed class SharedPool : ICollectionFixture<PoolFixture>
{
    public const string Name = "shared pool";
}
