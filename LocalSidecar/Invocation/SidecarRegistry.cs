using System.Collections.Concurrent;
using System.Text.Json;
using Gateway.LocalSidecar.Hosting;

namespace Gateway.LocalSidecar.Invocation;

/// <summary>
/// Name resolution between sidecars on one machine, in place of daprd's mDNS: each sidecar
/// announces itself as a file <c>{registry}/{appId}/{pid}.json</c> and removes it when it stops.
/// Lookups read the folder at call time (briefly cached), so sidecars may start in any order;
/// entries of processes that no longer run are ignored and removed.
/// </summary>
internal sealed class SidecarRegistry(SidecarOptions options, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, (SidecarAnnouncement[] Entries, long ReadAt)> _cache = new(StringComparer.Ordinal);
    private (SidecarAnnouncement[] Entries, long ReadAt)? _all;
    private string? _ownFile;
    private int _roundRobin;

    /// <summary>Writes this sidecar's announcement; replaces an earlier one of the same process.</summary>
    public void Announce(SidecarAnnouncement announcement)
    {
        var folder = Path.Combine(options.RegistryPath, announcement.AppId);
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"{announcement.Pid}.json");
        var temporary = file + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(announcement, SidecarAnnouncement.JsonOptions));
        File.Move(temporary, file, overwrite: true);
        _ownFile = file;
        Own = announcement;
        InvalidateAll();
    }

    /// <summary>This sidecar's current announcement, once made.</summary>
    public SidecarAnnouncement? Own { get; private set; }

    /// <summary>One live sidecar of <paramref name="appId"/>, chosen round-robin among replicas; null when none runs.</summary>
    public SidecarAnnouncement? Resolve(string appId)
    {
        var entries = Lookup(appId);
        return entries.Length == 0 ? null : entries[(int)((uint)Interlocked.Increment(ref _roundRobin) % entries.Length)];
    }

    /// <summary>Every live sidecar on this machine (briefly cached, like single lookups).</summary>
    public IReadOnlyList<SidecarAnnouncement> All()
    {
        var now = time.GetTimestamp();
        var cached = _all;
        if (cached is not null && time.GetElapsedTime(cached.Value.ReadAt, now) < CacheLifetime)
        {
            return cached.Value.Entries;
        }

        SidecarAnnouncement[] entries = Directory.Exists(options.RegistryPath)
            ? [.. Directory.EnumerateDirectories(options.RegistryPath).SelectMany(d => Read(Path.GetFileName(d)))]
            : [];
        _all = (entries, now);
        return entries;
    }

    /// <summary>Forgets cached entries of <paramref name="appId"/>, e.g. after a connection failed.</summary>
    public void Invalidate(string appId)
    {
        _cache.TryRemove(appId, out _);
        _all = null;
    }

    /// <summary>Forgets every cached entry, e.g. after an actor host could not be reached.</summary>
    public void InvalidateAll()
    {
        _cache.Clear();
        _all = null;
    }

    private SidecarAnnouncement[] Lookup(string appId)
    {
        var now = time.GetTimestamp();
        if (_cache.TryGetValue(appId, out var cached) && time.GetElapsedTime(cached.ReadAt, now) < CacheLifetime)
        {
            return cached.Entries;
        }

        // A miss is not cached: the app may be starting right now, and must be found at once.
        var entries = Read(appId);
        if (entries.Length > 0)
        {
            _cache[appId] = (entries, now);
        }

        return entries;
    }

    private SidecarAnnouncement[] Read(string appId)
    {
        if (appId.Length == 0 || appId.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || appId is "." or "..")
        {
            return [];
        }

        var folder = Path.Combine(options.RegistryPath, appId);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var live = new List<SidecarAnnouncement>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.json"))
        {
            SidecarAnnouncement? entry;
            try
            {
                entry = JsonSerializer.Deserialize<SidecarAnnouncement>(File.ReadAllText(file), SidecarAnnouncement.JsonOptions);
            }
            catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
            {
                continue;
            }

            if (entry is null)
            {
                continue;
            }

            if (Gateway.Hosting.ParentProcessWatch.IsRunning(entry.Pid))
            {
                live.Add(entry);
            }
            else
            {
                TryDelete(file);
            }
        }

        return [.. live.OrderBy(e => e.Pid)];
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
            // Another sidecar may be cleaning up the same stale entry.
        }
        catch (UnauthorizedAccessException)
        {
            // Leave an entry we may not remove; it is ignored while its process is gone.
        }
    }

    public void Dispose()
    {
        if (_ownFile is not null)
        {
            TryDelete(_ownFile);
        }
    }
}

/// <summary>What a sidecar tells the others about itself.</summary>
/// <param name="AppId">Its app id.</param>
/// <param name="Pid">Its process id, to tell live entries from stale ones.</param>
/// <param name="InternalPort">Loopback port of its internal API (calls from other sidecars).</param>
/// <param name="HttpPort">Its public Dapr HTTP API port.</param>
/// <param name="ActorTypes">Actor types its app hosts.</param>
internal sealed record SidecarAnnouncement(string AppId, int Pid, int InternalPort, int HttpPort, IReadOnlyList<string> ActorTypes)
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
