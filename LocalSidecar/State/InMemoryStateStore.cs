using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.LocalSidecar.State;

/// <summary>
/// The <c>state.in-memory</c> component: state lives in this process only. Like Dapr's, ETags are
/// random UUIDs, first-write applies to deletes as well as upserts, and a transaction checks every
/// ETag against the state before it, then applies the operations in order.
/// </summary>
internal sealed class InMemoryStateStore : IStateStore
{
    private readonly Dictionary<string, StateItem> _items = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly InMemoryStateStoreOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private PeriodicCleanup? _cleanup;

    public InMemoryStateStore(InMemoryStateStoreOptions options, TimeProvider timeProvider, ILogger<InMemoryStateStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger<InMemoryStateStore>.Instance;
    }

    /// <summary>Items held, expired ones not yet removed included.</summary>
    internal int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    public Task InitAsync(CancellationToken cancellationToken)
    {
        _cleanup ??= PeriodicCleanup.Start(_options.CleanupInterval, _timeProvider, _ => Task.FromResult(CleanupExpired()), _logger);
        return Task.CompletedTask;
    }

    public Task<StateItem?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var now = _timeProvider.GetUtcNow();
        lock (_lock)
        {
            var item = Live(key, now);
            return Task.FromResult(item is null ? null : item with { Value = item.Value.ToArray() });
        }
    }

    public Task<StoreResult> SetAsync(SetOperation operation, CancellationToken cancellationToken) =>
        TransactAsync([operation], cancellationToken);

    public Task<StoreResult> DeleteAsync(DeleteOperation operation, CancellationToken cancellationToken) =>
        TransactAsync([operation], cancellationToken);

    public Task<StoreResult> TransactAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var now = _timeProvider.GetUtcNow();
        lock (_lock)
        {
            foreach (var operation in operations)
            {
                var result = Check(operation, now);
                if (result != StoreResult.Ok)
                {
                    return Task.FromResult(result);
                }
            }

            foreach (var operation in operations)
            {
                Apply(operation, now);
            }
        }

        return Task.FromResult(StoreResult.Ok);
    }

    /// <summary>Removes expired items; returns how many.</summary>
    internal int CleanupExpired()
    {
        var now = _timeProvider.GetUtcNow();
        lock (_lock)
        {
            var removed = 0;
            foreach (var (key, item) in _items)
            {
                // Removing the current entry while enumerating is allowed for Dictionary since .NET Core 3.0.
                if (IsExpired(item, now) && _items.Remove(key))
                {
                    removed++;
                }
            }

            return removed;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_cleanup is not null)
        {
            await _cleanup.DisposeAsync().ConfigureAwait(false);
        }

        lock (_lock)
        {
            _items.Clear();
        }
    }

    // Dapr keeps an item visible up to and including its expiry instant.
    private static bool IsExpired(StateItem item, DateTimeOffset now) => item.ExpiresAt is { } expiresAt && now > expiresAt;

    // Dapr drops expired items lazily (on read, and by a sweep every second); treating them as
    // missing here gives the same answers without depending on when the sweep ran.
    private StateItem? Live(string key, DateTimeOffset now) =>
        _items.TryGetValue(key, out var item) && !IsExpired(item, now) ? item : null;

    private StoreResult Check(StateOperation operation, DateTimeOffset now)
    {
        var current = Live(operation.Key, now);
        if (string.IsNullOrEmpty(operation.ETag))
        {
            return operation.Concurrency == Concurrency.FirstWrite && current is not null ? StoreResult.ETagMismatch : StoreResult.Ok;
        }

        return current is not null && string.Equals(current.ETag, operation.ETag, StringComparison.Ordinal)
            ? StoreResult.Ok
            : StoreResult.ETagMismatch;
    }

    private void Apply(StateOperation operation, DateTimeOffset now)
    {
        switch (operation)
        {
            case SetOperation set:
                _items[set.Key] = new StateItem(
                    set.Value.ToArray(),
                    Guid.NewGuid().ToString(),
                    StateExpiry.ExpiresAt(set.Ttl, _options.DefaultTtl, now));
                break;
            case DeleteOperation delete:
                _items.Remove(delete.Key);
                break;
            default:
                throw new ArgumentException($"Unknown state operation {operation.GetType().Name}.", nameof(operation));
        }
    }
}
