using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dapr.Actors;
using Dapr.Actors.Client;
using Gateway.PoolService.Model;
using Gateway.PoolService.Services;

namespace Gateway.Pool.Bench;

/// <summary>
/// <c>proxies</c>: what one call to the Backend actor costs through each way the SDK offers, run
/// from this process against a PoolService process and its LocalSidecar: <c>GetStatusAsync</c>
/// (the same request and answer for every way, nothing written), one call at a time, the ways
/// alternated round by round. Reports the wall time per call and the CPU time per call of this
/// process (the caller), of PoolService (the actor's host) and of the sidecar.
/// </summary>
internal static class ProxyCost
{
    private const string BackendId = "open";
    private const string ActorType = "Backend";
    private static readonly BackendLimits Limits = new(1_000_000, true, null);

    public static async Task RunAsync(int calls, int rounds)
    {
        await using var pool = await PoolUnderTest.StartAsync(1).ConfigureAwait(false);
        var options = new ActorProxyOptions
        {
            HttpEndpoint = pool.SidecarEndpoints[0].AbsoluteUri.TrimEnd('/'),
            JsonSerializerOptions = new JsonSerializerOptions(JsonSerializerDefaults.Web),
            UseJsonSerialization = true,
        };
        var factory = new ActorProxyFactory(options);
        var id = new ActorId(BackendId);
        var plain = factory.Create(id, ActorType);
        var typed = factory.CreateActorProxy<IBackendActor>(id, ActorType);
        var ways = new (string Name, Func<Task<BackendStatus>> Call)[]
        {
            ("non-remoting, cached ActorProxy", () => plain.InvokeMethodAsync<BackendLimits, BackendStatus>(nameof(IBackendActor.GetStatusAsync), Limits)),
            ("typed proxy, JSON remoting, cached", () => typed.GetStatusAsync(Limits, CancellationToken.None)),
            ("typed proxy, JSON remoting, one per call", () => factory.CreateActorProxy<IBackendActor>(id, ActorType).GetStatusAsync(Limits, CancellationToken.None)),
        };
        var processes = new[] { Process.GetCurrentProcess() }.Concat(pool.ProcessIds.Select(Process.GetProcessById)).ToArray();
        var totals = ways.Select(_ => new Totals()).ToArray();
        foreach (var (_, call) in ways)
        {
            for (var i = 0; i < Math.Max(100, calls / 10); i++)
            {
                await call().ConfigureAwait(false);
            }
        }

        for (var round = 0; round < rounds; round++)
        {
            // Each round starts with another way, so none always runs first after the previous round.
            for (var k = 0; k < ways.Length; k++)
            {
                var w = (round + k) % ways.Length;
                var cpuBefore = Cpu(processes);
                var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < calls; i++)
                {
                    _ = await ways[w].Call().ConfigureAwait(false);
                }

                totals[w].Add(clock.Elapsed, Cpu(processes).Zip(cpuBefore, (after, before) => after - before).ToArray(), GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore, calls);
            }
        }

        Console.WriteLine($"{calls} calls per round, {rounds} rounds alternated, one call at a time (after {Math.Max(100, calls / 10)} warm-up calls per way)");
        Console.WriteLine();
        Console.WriteLine("| way | µs per call (wall) | caller CPU µs | PoolService CPU µs | sidecar CPU µs | caller KiB allocated |");
        Console.WriteLine("|---|---|---|---|---|---|");
        for (var w = 0; w < ways.Length; w++)
        {
            Console.WriteLine(totals[w].Row(ways[w].Name));
        }
    }

    private static TimeSpan[] Cpu(Process[] processes) =>
        [.. processes.Select(p =>
        {
            p.Refresh();
            return p.TotalProcessorTime;
        })];

    private sealed class Totals
    {
        private TimeSpan _wall;
        private readonly TimeSpan[] _cpu = new TimeSpan[3];
        private long _allocated;
        private long _calls;

        public void Add(TimeSpan wall, TimeSpan[] cpu, long allocated, int calls)
        {
            _wall += wall;
            for (var i = 0; i < _cpu.Length; i++)
            {
                _cpu[i] += cpu[i];
            }

            _allocated += allocated;
            _calls += calls;
        }

        public string Row(string name) => string.Create(
            CultureInfo.InvariantCulture,
            $"| {name} | {PerCall(_wall):F0} | {PerCall(_cpu[0]):F0} | {PerCall(_cpu[1]):F0} | {PerCall(_cpu[2]):F0} | {_allocated / 1024.0 / _calls:F1} |");

        private double PerCall(TimeSpan total) => total.TotalMicroseconds / _calls;
    }
}
