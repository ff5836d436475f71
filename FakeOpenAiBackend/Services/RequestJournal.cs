using System.Collections.Concurrent;
using System.Text.Json;
using Gateway.FakeOpenAiBackend.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gateway.FakeOpenAiBackend.Services;

/// <summary>
/// One <c>/v1</c> request the fake received, as <c>GET /_fake/requests</c> shows it: enough for a test
/// to prove what reached the backend (the key the gateway injected, the model it substituted, the
/// <c>stream_options</c> it added) and what the backend did with it. <see cref="Headers"/>: every
/// header, names in lower case, credentials included (this is a test double). <see cref="Body"/>: the
/// JSON body, or null when there was none or it was not JSON. <see cref="Run"/>: the <c>X-Fake-Run</c>
/// header, which lets a test pick out its own requests.
/// </summary>
internal sealed record ReceivedRequest(
    long Sequence,
    DateTimeOffset At,
    string Method,
    string Path,
    string? Run,
    IReadOnlyDictionary<string, string> Headers,
    JsonElement? Body)
{
    public string? Authorization => Headers.GetValueOrDefault("authorization");

    public string? Model => Body is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String
        ? model.GetString()
        : null;

    /// <summary>The behaviour applied and where it came from, e.g. <c>429 (header)</c>; null for a normal answer.</summary>
    public string? Behavior { get; init; }

    /// <summary>The status answered; null while the request is still in progress.</summary>
    public int? Status { get; init; }

    /// <summary>True when the connection ended before the answer did (the client gave up, or a reset/drop fault).</summary>
    public bool Aborted { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }
}

/// <summary>Every <c>/v1</c> request the fake received, oldest first, bounded by <see cref="FakeOpenAiBackendOptions.JournalCapacity"/>.</summary>
internal sealed class RequestJournal(IOptions<FakeOpenAiBackendOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<long, ReceivedRequest> _entries = new();
    private long _sequence;

    /// <summary>Records a request as it arrives, so that one still hanging is already listed.</summary>
    public ReceivedRequest Add(HttpRequest request, JsonElement? body)
    {
        ArgumentNullException.ThrowIfNull(request);
        var entry = new ReceivedRequest(
            Interlocked.Increment(ref _sequence),
            time.GetUtcNow(),
            request.Method,
            request.Path.Value ?? "",
            request.Headers["X-Fake-Run"].ToString() is { Length: > 0 } run ? run : null,
            request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal),
            body);
        _entries[entry.Sequence] = entry;
        _entries.TryRemove(entry.Sequence - options.Value.JournalCapacity, out _);
        return entry;
    }

    public void NoteBehavior(long sequence, string behavior) => Update(sequence, e => e with { Behavior = behavior });

    public void Complete(long sequence, int status, bool aborted) =>
        Update(sequence, e => e with { Status = status, Aborted = aborted, CompletedAt = time.GetUtcNow() });

    public IReadOnlyList<ReceivedRequest> Read(string? run) =>
        [.. _entries.Values.Where(e => run is null || string.Equals(e.Run, run, StringComparison.Ordinal)).OrderBy(e => e.Sequence)];

    public void Clear() => _entries.Clear();

    // Only the request's own pipeline updates its entry, one step at a time, so a lost race is only with Clear.
    private void Update(long sequence, Func<ReceivedRequest, ReceivedRequest> change)
    {
        if (_entries.TryGetValue(sequence, out var entry))
        {
            _entries.TryUpdate(sequence, change(entry), entry);
        }
    }
}
