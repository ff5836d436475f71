using System.Collections.Concurrent;
using Gateway.FakeTaskProvider.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gateway.FakeTaskProvider.Services;

/// <summary>One request the fake received: enough for a test to see what reached the provider (its credentials included).</summary>
internal sealed record JournalEntry(
    DateTimeOffset At,
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    string? Run,
    int Status);

/// <summary>
/// Every request the fake received, newest last, bounded. Shown by <c>GET /_fake/requests</c> so
/// tests can prove what the gateway forwarded (client credentials stripped, the provider's added)
/// and that refused requests never arrived. <c>X-Fake-Run</c> groups a test's requests.
/// </summary>
internal sealed class RequestJournal(IOptions<FakeProviderOptions> options)
{
    private readonly ConcurrentQueue<JournalEntry> _entries = new();

    public void Add(JournalEntry entry)
    {
        _entries.Enqueue(entry);
        while (_entries.Count > options.Value.JournalCapacity && _entries.TryDequeue(out _))
        {
        }
    }

    public IReadOnlyList<JournalEntry> Read(string? run) =>
        [.. _entries.Where(e => run is null || string.Equals(e.Run, run, StringComparison.Ordinal))];

    public void Clear() => _entries.Clear();
}
