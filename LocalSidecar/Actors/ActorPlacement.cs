using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Gateway.LocalSidecar.Hosting;
using Gateway.LocalSidecar.Invocation;

namespace Gateway.LocalSidecar.Actors;

/// <summary>
/// Which sidecar hosts an actor, in place of Dapr's placement service: among the live sidecars
/// whose apps host the type, rendezvous hashing picks one per actor id. Every sidecar computes the
/// same answer from the same registry, so all calls for one id go to one host at a time, and only
/// the ids of a host that comes or goes move.
/// </summary>
internal sealed class ActorPlacement(SidecarRegistry registry, SidecarOptions options, HostedActors hosted)
{
    public SidecarAnnouncement? Locate(ActorKey key)
    {
        SidecarAnnouncement? best = null;
        ulong bestScore = 0;
        foreach (var host in registry.All())
        {
            if (!host.ActorTypes.Contains(key.Type, StringComparer.Ordinal))
            {
                continue;
            }

            var score = Score(key, host);
            if (best is null || score > bestScore)
            {
                best = host;
                bestScore = score;
            }
        }

        return best;
    }

    /// <summary>True when this sidecar's app hosts the actor now.</summary>
    public bool IsLocal(ActorKey key) =>
        hosted.Hosts(key.Type) && Locate(key) is { } host && host.Pid == Environment.ProcessId && host.AppId == options.AppId;

    // Any stable, well-mixed hash will do; SHA-256 is built in (System.IO.Hashing is not available here).
    private static ulong Score(ActorKey key, SidecarAnnouncement host) =>
        BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes($"{key.Type}\n{key.Id}\n{host.AppId}\n{host.Pid}\n{host.InternalPort}")));
}
