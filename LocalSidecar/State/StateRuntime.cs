using System.Globalization;
using Gateway.LocalSidecar.Hosting;

namespace Gateway.LocalSidecar.State;

/// <summary>
/// What daprd's runtime does with a state request, whichever API it came in on: resolve the store,
/// prefix and check the keys, check the options and TTL as the components do, call the store, and
/// report every refusal as a <see cref="StateFailure"/>. The HTTP API (<c>Api/StateApi</c>) and the
/// gRPC API (<c>Grpc/DaprGrpcService</c>) only decode requests and encode answers around it.
/// </summary>
/// <remarks>
/// A multi-item save or bulk delete is not atomic (daprd writes the items one by one) and reports
/// the first ETag error among its failures, else all failures; a transaction checks every ETag
/// before it writes and applies all or nothing, and any failure of it is a plain failure.
/// </remarks>
internal sealed class StateRuntime(StateStoreCatalog stores, SidecarOptions sidecar)
{
    private const string MismatchMessage = "possible etag mismatch. error from state store";
    private const string InvalidMessage = "invalid etag value";
    private const int DefaultBulkParallelism = 10;

    /// <summary>The metadata key under which a read reports when its item expires.</summary>
    public const string TtlExpireTimeKey = "ttlExpireTime";

    /// <summary>The item, or <see langword="null"/> when the key is missing or expired.</summary>
    public async Task<StateResult<StateItem?>> GetAsync(string storeName, string key, CancellationToken cancellationToken)
    {
        if (!stores.TryGet(storeName, out var store))
        {
            return Refusal(storeName);
        }

        if (store.StoredKey(key, sidecar) is not { } storedKey)
        {
            return new StateFailure.IllegalKey(storeName, key);
        }

        try
        {
            return new StateResult<StateItem?>.Ok(await store.Store.GetAsync(storedKey, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new StateFailure.StoreFailed("ERR_STATE_GET", StoreFailureKind.Failed, $"fail to get {key} from state store {storeName}: {e.Message}");
        }
    }

    /// <summary>Every key's answer in request order; a store error for one key is reported on that key only.</summary>
    public async Task<StateResult<IReadOnlyList<BulkStateEntry>>> BulkGetAsync(string storeName, IReadOnlyList<string> keys, int parallelism, CancellationToken cancellationToken)
    {
        if (!stores.TryGet(storeName, out var store))
        {
            return Refusal(storeName);
        }

        var storedKeys = new string[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            if (store.StoredKey(keys[i], sidecar) is not { } storedKey)
            {
                return new StateFailure.IllegalKey(storeName, keys[i]);
            }

            storedKeys[i] = storedKey;
        }

        var results = new BulkStateEntry[keys.Count];
        await Parallel.ForAsync(
            0,
            keys.Count,
            new ParallelOptions { MaxDegreeOfParallelism = parallelism > 0 ? parallelism : DefaultBulkParallelism, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var key = StateKeyPrefix.Original(storedKeys[i]);
                try
                {
                    results[i] = new BulkStateEntry(key, await store.Store.GetAsync(storedKeys[i], ct).ConfigureAwait(false), null);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    results[i] = new BulkStateEntry(key, null, e.Message);
                }
            }).ConfigureAwait(false);
        return new StateResult<IReadOnlyList<BulkStateEntry>>.Ok(results);
    }

    /// <summary>Saves the items one by one; null when all were written.</summary>
    public async Task<StateFailure?> SaveAsync(string storeName, IReadOnlyList<StateEntry> items, CancellationToken cancellationToken)
    {
        if (!stores.TryGet(storeName, out var store))
        {
            return Refusal(storeName);
        }

        var operations = new List<SetOperation>(items.Count);
        var errors = new List<(StoreResult? Result, string Message)>();
        foreach (var item in items)
        {
            if (item.Key.Length == 0)
            {
                return new StateFailure.MissingKey();
            }

            if (store.StoredKey(item.Key, sidecar) is not { } storedKey)
            {
                return new StateFailure.IllegalKey(storeName, item.Key);
            }

            var (ttl, ttlError) = ReadTtl(item.Metadata);
            if ((ValidateOptions(item.Concurrency, item.Consistency) ?? ttlError) is { } invalid)
            {
                errors.Add((null, invalid));
                continue;
            }

            operations.Add(new SetOperation(storedKey, item.Value, item.ETag, ToConcurrency(item.Concurrency), ttl, item.IsBinary));
        }

        foreach (var operation in operations)
        {
            errors.AddRange(await RunAsync(() => store.Store.SetAsync(operation, cancellationToken)).ConfigureAwait(false));
        }

        return errors.Count == 0 ? null : Failure("ERR_STATE_SAVE", errors, message => $"failed saving state in state store {storeName}: {message}");
    }

    /// <summary>Deletes one key; null when it is gone (or was never there).</summary>
    public async Task<StateFailure?> DeleteAsync(string storeName, StateEntry entry, CancellationToken cancellationToken)
    {
        if (!stores.TryGet(storeName, out var store))
        {
            return Refusal(storeName);
        }

        if (store.StoredKey(entry.Key, sidecar) is not { } storedKey)
        {
            return new StateFailure.IllegalKey(storeName, entry.Key);
        }

        var errors = ValidateOptions(entry.Concurrency, entry.Consistency) is { } invalid
            ? [(null, invalid)]
            : await RunAsync(() => store.Store.DeleteAsync(new DeleteOperation(storedKey, entry.ETag, ToConcurrency(entry.Concurrency)), cancellationToken)).ConfigureAwait(false);
        return errors.Count == 0 ? null : Failure("ERR_STATE_DELETE", errors, message => $"failed deleting state with key {entry.Key}: {message}");
    }

    /// <summary>Deletes the keys one by one (daprd's bulk delete); null when all are gone.</summary>
    public async Task<StateFailure?> DeleteBulkAsync(string storeName, IReadOnlyList<StateEntry> entries, CancellationToken cancellationToken)
    {
        if (!stores.TryGet(storeName, out var store))
        {
            return Refusal(storeName);
        }

        var operations = new List<DeleteOperation>(entries.Count);
        var errors = new List<(StoreResult? Result, string Message)>();
        foreach (var entry in entries)
        {
            if (store.StoredKey(entry.Key, sidecar) is not { } storedKey)
            {
                return new StateFailure.IllegalKey(storeName, entry.Key);
            }

            if (ValidateOptions(entry.Concurrency, entry.Consistency) is { } invalid)
            {
                errors.Add((null, invalid));
                continue;
            }

            operations.Add(new DeleteOperation(storedKey, entry.ETag, ToConcurrency(entry.Concurrency)));
        }

        foreach (var operation in operations)
        {
            errors.AddRange(await RunAsync(() => store.Store.DeleteAsync(operation, cancellationToken)).ConfigureAwait(false));
        }

        return errors.Count == 0 ? null : Failure("ERR_STATE_BULK_DELETE", errors, message => $"failed deleting state in state store {storeName}: {message}");
    }

    /// <summary>Applies every step or none; null when all were applied.</summary>
    public async Task<StateFailure?> TransactAsync(string storeName, IReadOnlyList<TransactionStep> steps, CancellationToken cancellationToken)
    {
        if (!stores.TryGet(storeName, out var store))
        {
            return Refusal(storeName);
        }

        if (steps.Count == 0)
        {
            return null;
        }

        var batch = new List<StateOperation>(steps.Count);
        foreach (var (kind, request) in steps)
        {
            if (kind is not ("upsert" or "delete"))
            {
                return new StateFailure.UnsupportedOperation(kind);
            }

            if (store.StoredKey(request.Key, sidecar) is not { } storedKey)
            {
                return new StateFailure.IllegalKey(storeName, request.Key);
            }

            var (ttl, ttlError) = ReadTtl(request.Metadata);
            if ((ValidateOptions(request.Concurrency, request.Consistency) ?? ttlError) is { } invalid)
            {
                return TransactionFailed(invalid);
            }

            var concurrency = ToConcurrency(request.Concurrency);
            batch.Add(kind == "upsert"
                ? new SetOperation(storedKey, request.Value, request.ETag, concurrency, ttl, request.IsBinary)
                : new DeleteOperation(storedKey, request.ETag, concurrency));
        }

        var errors = await RunAsync(() => store.Store.TransactAsync(batch, cancellationToken)).ConfigureAwait(false);

        // Every transaction failure, an ETag mismatch included, is a plain failure in daprd.
        return errors.Count == 0 ? null : TransactionFailed(errors[0].Message);
    }

    /// <summary>The metadata a read reports with an item: its expiry, if it has one.</summary>
    public static IReadOnlyDictionary<string, string> ItemMetadata(StateItem item) =>
        item.ExpiresAt is { } expires
            ? new Dictionary<string, string>(StringComparer.Ordinal) { [TtlExpireTimeKey] = FormatExpiry(expires) }
            : StateEntry.NoMetadata;

    /// <summary>An expiry as the components report it (RFC 3339, UTC, whole seconds).</summary>
    public static string FormatExpiry(DateTimeOffset expires) =>
        expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Why <paramref name="storeName"/> cannot be used, or null when it can (daprd checks it before it reads a body).</summary>
    public StateFailure? CheckStore(string storeName) => stores.TryGet(storeName, out _) ? null : Refusal(storeName);

    private StateFailure Refusal(string storeName) =>
        stores.Count == 0 ? new StateFailure.StoreNotConfigured(storeName) : new StateFailure.StoreNotFound(storeName);

    private static StateFailure.StoreFailed TransactionFailed(string message) =>
        new StateFailure.StoreFailed("ERR_STATE_TRANSACTION", StoreFailureKind.Failed, $"error while executing state transaction: {message}");

    private static async Task<List<(StoreResult? Result, string Message)>> RunAsync(Func<Task<StoreResult>> write)
    {
        try
        {
            var result = await write().ConfigureAwait(false);
            return result == StoreResult.Ok ? [] : [(result, result == StoreResult.ETagInvalid ? InvalidMessage : MismatchMessage)];
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return [(null, e.Message)];
        }
    }

    private static StateFailure.StoreFailed Failure(string errorCode, IReadOnlyList<(StoreResult? Result, string Message)> errors, Func<string, string> describe)
    {
        foreach (var (result, message) in errors)
        {
            if (result == StoreResult.ETagMismatch)
            {
                return new StateFailure.StoreFailed(errorCode, StoreFailureKind.ETagMismatch, describe(message));
            }

            if (result == StoreResult.ETagInvalid)
            {
                return new StateFailure.StoreFailed(errorCode, StoreFailureKind.ETagInvalid, describe(message));
            }
        }

        return new StateFailure.StoreFailed(errorCode, StoreFailureKind.Failed, describe(string.Join('\n', errors.Select(e => e.Message))));
    }

    /// <summary>Checks the options as components-contrib's CheckRequestOptions does.</summary>
    internal static string? ValidateOptions(string concurrency, string consistency)
    {
        if (concurrency is not ("" or "first-write" or "last-write"))
        {
            return $"unrecognized concurrency model '{concurrency}'";
        }

        return consistency is "" or "strong" or "eventual" ? null : $"unrecognized consistency model '{consistency}'";
    }

    private static Concurrency ToConcurrency(string concurrency) =>
        concurrency == "first-write" ? Concurrency.FirstWrite : Concurrency.LastWrite;

    /// <summary>
    /// The <c>ttlInSeconds</c> metadata: null when absent (the component default applies),
    /// <see cref="Timeout.InfiniteTimeSpan"/> for -1 (never expire), or an error message.
    /// </summary>
    internal static (TimeSpan? Ttl, string? Error) ReadTtl(IReadOnlyDictionary<string, string> metadata)
    {
        var entry = metadata.FirstOrDefault(m => string.Equals(m.Key, "ttlInSeconds", StringComparison.OrdinalIgnoreCase));
        if (entry.Key is null)
        {
            return (null, null);
        }

        if (!long.TryParse(entry.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds) || seconds < -1 || seconds > int.MaxValue)
        {
            return (null, $"incorrect value for metadata '{entry.Key}': {entry.Value}");
        }

        return seconds switch
        {
            -1 => (Timeout.InfiniteTimeSpan, null),
            0 => (null, null),
            _ => (TimeSpan.FromSeconds(seconds), null),
        };
    }
}
