using System.Text.Json;
using Gateway.ServiceDefaults.Dapr;

namespace Gateway.ServiceDefaults.Actors;

/// <summary>
/// An actor instance's state (its <see cref="Actor.StateManager"/>): values read through the
/// sidecar's actor state API and cached for the instance's life, changes tracked during a turn and
/// committed in one transaction when the turn's method succeeds, before its answer is sent. When the
/// method throws nothing is committed and the cache returns to where the turn began.
/// </summary>
/// <remarks>
/// <para>The cache is sound because an actor id lives on one host at a time and the sidecar runs
/// one turn at a time: nobody else writes these keys. Values are cached as JSON, so each read
/// returns a fresh copy and changing a returned object changes nothing until it is set again.</para>
/// <para>Use it only inside the actor's turns (its methods, reminders, timer callbacks and
/// activation hooks), not from work the actor starts in the background.</para>
/// <para>Keys follow the state API's rule: not empty, no <c>/</c>, not <c>.</c> or <c>..</c>.</para>
/// </remarks>
public sealed class ActorState
{
    private readonly ActorSidecarApi _sidecar;
    private readonly string _actorType;
    private readonly string _actorId;
    private Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private int _commits;

    internal ActorState(ActorSidecarApi sidecar, string actorType, string actorId)
    {
        _sidecar = sidecar;
        _actorType = actorType;
        _actorId = actorId;
    }

    private JsonSerializerOptions Json => _sidecar.Json;

    /// <summary>The value at <paramref name="key"/>, if there is one.</summary>
    /// <exception cref="DaprApiException">The sidecar could not read it.</exception>
    public async Task<ConditionalValue<T>> TryGetStateAsync<T>(string key, CancellationToken cancellationToken = default)
    {
        var entry = await LoadAsync(key, cancellationToken).ConfigureAwait(false);
        return entry.Value is { } json ? new(true, JsonSerializer.Deserialize<T>(json, Json)) : default;
    }

    /// <summary>The value at <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">There is none.</exception>
    /// <exception cref="DaprApiException">The sidecar could not read it.</exception>
    public async Task<T> GetStateAsync<T>(string key, CancellationToken cancellationToken = default)
    {
        var found = await TryGetStateAsync<T>(key, cancellationToken).ConfigureAwait(false);
        return found.HasValue ? found.Value! : throw new KeyNotFoundException($"Actor {_actorType} has no state '{key}'.");
    }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>, serialised now (a value that cannot be serialised throws here).</summary>
    public Task SetStateAsync<T>(string key, T value, CancellationToken cancellationToken = default)
    {
        SidecarPaths.CheckStateKey(key, nameof(key));
        var json = JsonSerializer.SerializeToUtf8Bytes(value, Json);
        _entries[key] = (_entries.TryGetValue(key, out var entry) ? entry : Entry.Unknown) with { Value = json, Dirty = true };
        return Task.CompletedTask;
    }

    /// <summary>Removes <paramref name="key"/>; false when there was nothing to remove.</summary>
    /// <exception cref="DaprApiException">The sidecar could not tell whether the key exists.</exception>
    public async Task<bool> TryRemoveStateAsync(string key, CancellationToken cancellationToken = default)
    {
        var entry = await LoadAsync(key, cancellationToken).ConfigureAwait(false);
        if (entry.Value is null)
        {
            return false;
        }

        _entries[key] = entry with { Value = null, Dirty = true };
        return true;
    }

    /// <summary>Whether <paramref name="key"/> has a value.</summary>
    /// <exception cref="DaprApiException">The sidecar could not read it.</exception>
    public async Task<bool> ContainsStateAsync(string key, CancellationToken cancellationToken = default) =>
        (await LoadAsync(key, cancellationToken).ConfigureAwait(false)).Value is not null;

    /// <summary>The value at <paramref name="key"/>; when there is none, sets it to <paramref name="value"/> and returns that.</summary>
    /// <exception cref="DaprApiException">The sidecar could not read it.</exception>
    public async Task<T> GetOrAddStateAsync<T>(string key, T value, CancellationToken cancellationToken = default)
    {
        var found = await TryGetStateAsync<T>(key, cancellationToken).ConfigureAwait(false);
        if (found.HasValue)
        {
            return found.Value!;
        }

        await SetStateAsync(key, value, cancellationToken).ConfigureAwait(false);
        return value;
    }

    /// <summary>
    /// Commits the changes made so far now, in one transaction, rather than when the turn ends
    /// (e.g. before calling out to something that must see them). A later failure of the turn
    /// does not undo what was committed.
    /// </summary>
    /// <exception cref="DaprApiException">The sidecar did not confirm the transaction; the cache is dropped, to be read again.</exception>
    public Task SaveStateAsync(CancellationToken cancellationToken = default) => CommitAsync(cancellationToken);

    /// <summary>The cache as a turn finds it, to go back to if the turn fails.</summary>
    internal Snapshot BeginTurn() => new(new Dictionary<string, Entry>(_entries, StringComparer.Ordinal), _commits);

    /// <summary>
    /// Undoes the changes of a failed turn. When something was committed since the snapshot, the
    /// snapshot no longer matches the store: the whole cache is dropped and read again.
    /// </summary>
    internal void Rollback(Snapshot snapshot) =>
        _entries = snapshot.Commits == _commits ? snapshot.Entries : new Dictionary<string, Entry>(StringComparer.Ordinal);

    /// <summary>The keys changed and not yet committed (for tests and diagnostics; never their values).</summary>
    internal IReadOnlyList<string> PendingKeys => [.. _entries.Where(e => e.Value.Dirty).Select(e => e.Key)];

    internal async Task CommitAsync(CancellationToken cancellationToken)
    {
        List<KeyValuePair<string, byte[]?>> operations = [];
        foreach (var (key, entry) in _entries)
        {
            // A key set and removed again in one turn that the store never had needs no delete.
            if (entry.Dirty && (entry.Value is not null || entry.Stored != false))
            {
                operations.Add(new(key, entry.Value));
            }
        }

        if (operations.Count > 0)
        {
            try
            {
                await _sidecar.ExecuteStateTransactionAsync(_actorType, _actorId, operations, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // The outcome is unknown (or known to be nothing): forget what was cached.
                _entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
                _commits++;
                throw;
            }

            _commits++;
        }

        foreach (var key in _entries.Where(e => e.Value.Dirty).Select(e => e.Key).ToList())
        {
            var value = _entries[key].Value;
            _entries[key] = new Entry(value, Stored: value is not null, Dirty: false);
        }
    }

    private async ValueTask<Entry> LoadAsync(string key, CancellationToken cancellationToken)
    {
        SidecarPaths.CheckStateKey(key, nameof(key));
        if (_entries.TryGetValue(key, out var entry) && (entry.Stored is not null || entry.Dirty))
        {
            return entry;
        }

        var json = await _sidecar.GetStateAsync(_actorType, _actorId, key, cancellationToken).ConfigureAwait(false);
        entry = new Entry(json, Stored: json is not null, Dirty: false);
        _entries[key] = entry;
        return entry;
    }

    /// <summary>
    /// One key as this instance sees it: its current value (JSON; null when absent), whether the
    /// store has a value as of the last read or commit (null when never read), and whether it
    /// changed since.
    /// </summary>
    internal readonly record struct Entry(byte[]? Value, bool? Stored, bool Dirty)
    {
        public static Entry Unknown => new(null, null, false);
    }

    internal readonly record struct Snapshot(Dictionary<string, Entry> Entries, int Commits);
}
