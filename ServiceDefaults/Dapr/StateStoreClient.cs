using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Timeout;
using Wire = Dapr.Client.Autogen.Grpc.v1;

namespace Gateway.ServiceDefaults.Dapr;

/// <summary>
/// The app's state store through the official <see cref="DaprClient"/>, with the three things the
/// SDK lacks and money needs: the outcome of a conditional write as a value, bounded attempts, and
/// retries of the calls that are safe to repeat. Registered as a singleton by <c>AddDaprSidecar</c>.
/// </summary>
/// <remarks>
/// <para>What the SDK does and why each piece is here (DAPR-SDK.md section 1): the SDK sets no
/// deadline and retries nothing, so every call here is bounded by
/// <see cref="DaprClientOptions.AttemptTimeout"/>, and reads, last-write saves and unconditional
/// deletes are retried on transient failures. It reports a failed conditional transaction as
/// <c>Internal</c>, like any other store failure, and a failed first-write create as an exception:
/// <see cref="TrySaveStateAsync{T}"/>, <see cref="TryDeleteStateAsync"/> and
/// <see cref="TryExecuteStateTransactionAsync"/> never throw for a conflict or a lost answer; they
/// return a <see cref="StateWriteResult"/> that is either <see cref="StateWriteOutcome.Written"/> or
/// <see cref="StateWriteOutcome.Unknown"/>, after which the caller re-reads and decides. Its bulk
/// read has no "found" flag: a key is found when the store gave it an ETag.</para>
/// <para>Failures the caller cannot fix by re-reading (unknown store, malformed ETag or key, wrong
/// API token, a store that cannot do transactions) throw the SDK's <see cref="DaprException"/>, as
/// do reads that fail after every retry. Cancellation by the caller stays an
/// <see cref="OperationCanceledException"/>.</para>
/// </remarks>
public sealed class StateStoreClient
{
    private readonly DaprClient _dapr;
    private readonly JsonSerializerOptions _json;
    private readonly StateCallPipelines _pipelines;
    private readonly ILogger _logger;
    private readonly Wire.Dapr.DaprClient _wire;
    private readonly Metadata _wireHeaders;

    internal StateStoreClient(DaprClient dapr, SidecarGrpcChannel channel, DaprClientOptions options, StateCallPipelines pipelines, ILogger logger)
    {
        _dapr = dapr;
        _wire = new Wire.Dapr.DaprClient(channel.Channel);
        _wireHeaders = channel.Headers;
        _json = options.JsonSerializerOptions;
        _pipelines = pipelines;
        _logger = logger;
    }

    /// <summary>Reads <paramref name="key"/>: its value and ETag, or null when the key does not exist.</summary>
    /// <exception cref="DaprException">The sidecar refused the call, or did not answer within the retries.</exception>
    public async Task<StateEntry<T>?> GetStateAsync<T>(string storeName, string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeName);
        ArgumentException.ThrowIfNullOrEmpty(key);
        var (value, etag) = await RetriedAsync(
            Operations.Get,
            storeName,
            (store, k, token) => new ValueTask<(T, string)>(_dapr.GetStateAndETagAsync<T>(store, k, cancellationToken: token)),
            key,
            cancellationToken).ConfigureAwait(false);

        // The SDK answers a missing key with the default value and an empty ETag (DAPR-SDK.md §1).
        return string.IsNullOrEmpty(etag) ? null : new StateEntry<T>(key, value, etag);
    }

    /// <summary>
    /// Reads several keys at once; the answer has one item per key, in the order asked. A missing
    /// key is an item with <see cref="BulkStateItem{T}.Found"/> false. Not atomic: each key is read
    /// on its own. <paramref name="parallelism"/> is how many keys the sidecar reads at once; null
    /// (default) leaves it to the sidecar.
    /// </summary>
    /// <remarks>
    /// Sent through the generated gRPC client of Dapr.Protos rather than <see cref="DaprClient"/>:
    /// the SDK's <c>GetBulkStateAsync</c> drops the store's per-key errors, so during a store outage
    /// every key would read as missing.
    /// </remarks>
    /// <exception cref="DaprException">The sidecar refused the call, failed to read one of the keys, or did not answer within the retries.</exception>
    public async Task<IReadOnlyList<BulkStateItem<T>>> GetBulkStateAsync<T>(string storeName, IReadOnlyCollection<string> keys, int? parallelism = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeName);
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("Keys must not be null or empty.", nameof(keys));
        }

        if (parallelism is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, "Parallelism must be positive when given.");
        }

        if (keys.Count == 0)
        {
            return [];
        }

        var request = new Wire.GetBulkStateRequest { StoreName = storeName, Parallelism = parallelism ?? 0 };
        request.Keys.AddRange(keys);
        var response = await RetriedAsync(
            Operations.BulkGet,
            storeName,
            async (_, r, token) =>
            {
                try
                {
                    return await _wire.GetBulkStateAsync(r, _wireHeaders, cancellationToken: token).ConfigureAwait(false);
                }
                catch (RpcException e)
                {
                    throw new DaprException("State operation failed: the Dapr endpoint indicated a failure. See InnerException for details.", e);
                }
            },
            request,
            cancellationToken).ConfigureAwait(false);
        var byKey = new Dictionary<string, Wire.BulkStateItem>(response.Items.Count, StringComparer.Ordinal);
        foreach (var item in response.Items)
        {
            byKey[item.Key] = item;
        }

        List<BulkStateItem<T>> answer = new(keys.Count);
        foreach (var key in keys)
        {
            if (!byKey.TryGetValue(key, out var item) || (item.Data.IsEmpty && string.IsNullOrEmpty(item.Error)))
            {
                answer.Add(new BulkStateItem<T>(key, false, default, null));
            }
            else if (!string.IsNullOrEmpty(item.Error))
            {
                // A bulk read answers OK even when the store failed every key (an outage): such a
                // key is not missing, and a decision taken as if it were would be wrong.
                throw new DaprException($"Dapr {Operations.BulkGet} on store '{storeName}' could not read one of the keys: {item.Error}");
            }
            else
            {
                answer.Add(new BulkStateItem<T>(key, true, JsonSerializer.Deserialize<T>(item.Data.Span, _json), item.Etag));
            }
        }

        return answer;
    }

    /// <summary>
    /// Writes <paramref name="value"/> at <paramref name="key"/> whatever is there (last-write, no
    /// ETag). Safe to repeat, so it is retried on transient failures. To write only over a known
    /// version, or only when the key is new, use <see cref="TrySaveStateAsync{T}"/>.
    /// <paramref name="timeToLive"/> is sent as <c>metadata.ttlInSeconds</c>, rounded up to whole
    /// seconds; null (default) for no expiry.
    /// </summary>
    /// <exception cref="DaprException">The sidecar refused the call, or did not answer within the retries.</exception>
    public async Task SaveStateAsync<T>(string storeName, string key, T value, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeName);
        ArgumentException.ThrowIfNullOrEmpty(key);
        var metadata = StateMetadata.TimeToLive(timeToLive, nameof(timeToLive));
        await RetriedAsync(
            Operations.Save,
            storeName,
            async (store, k, token) =>
            {
                await _dapr.SaveStateAsync(store, k, value, StateMetadata.LastWrite, metadata, token).ConfigureAwait(false);
                return true;
            },
            key,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Compare-and-set: writes <paramref name="value"/> only if <paramref name="key"/> still has
    /// <paramref name="etag"/> or, when <paramref name="etag"/> is null, only if the key does not
    /// exist yet (first-write concurrency). Sent once, never retried. <paramref name="timeToLive"/>
    /// is sent as <c>metadata.ttlInSeconds</c>, rounded up to whole seconds (null, the default: no expiry).
    /// </summary>
    /// <returns>
    /// <see cref="StateWriteOutcome.Written"/>, or <see cref="StateWriteOutcome.Unknown"/>: re-read to
    /// learn who won. The sidecar answers no ETag for the new version; read again before another
    /// conditional write.
    /// </returns>
    /// <exception cref="DaprException">The request itself was refused (unknown store, malformed ETag, wrong API token).</exception>
    public Task<StateWriteResult> TrySaveStateAsync<T>(string storeName, string key, T value, string? etag, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeName);
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (etag is { Length: 0 })
        {
            // An empty ETag reaches the store as "no ETag": an unconditional write (DAPR-SDK.md §1).
            throw new ArgumentException("An ETag must not be empty; pass null to create the key.", nameof(etag));
        }

        var metadata = StateMetadata.TimeToLive(timeToLive, nameof(timeToLive));
        return OnceAsync(Operations.TrySave, storeName, async token =>
        {
            if (etag is null)
            {
                // The SDK's TrySaveStateAsync demands an ETag; a create is a first-write save, whose
                // conflict the SDK throws as Aborted.
                await _dapr.SaveStateAsync(storeName, key, value, StateMetadata.FirstWrite, metadata, token).ConfigureAwait(false);
                return true;
            }

            return await _dapr.TrySaveStateAsync(storeName, key, value, etag, StateMetadata.FirstWrite, metadata, token).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <summary>Deletes <paramref name="key"/> whatever its version; deleting a missing key succeeds. Retried on transient failures.</summary>
    /// <exception cref="DaprException">The sidecar refused the call, or did not answer within the retries.</exception>
    public async Task DeleteStateAsync(string storeName, string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeName);
        ArgumentException.ThrowIfNullOrEmpty(key);
        await RetriedAsync(
            Operations.Delete,
            storeName,
            async (store, k, token) =>
            {
                await _dapr.DeleteStateAsync(store, k, StateMetadata.LastWrite, cancellationToken: token).ConfigureAwait(false);
                return true;
            },
            key,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes <paramref name="key"/> only if it still has <paramref name="etag"/>. Sent once, never retried.</summary>
    /// <returns><see cref="StateWriteOutcome.Written"/> when deleted, else <see cref="StateWriteOutcome.Unknown"/>: re-read.</returns>
    /// <exception cref="DaprException">The request itself was refused (unknown store, malformed ETag, wrong API token).</exception>
    public Task<StateWriteResult> TryDeleteStateAsync(string storeName, string key, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeName);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentException.ThrowIfNullOrEmpty(etag);
        return OnceAsync(
            Operations.TryDelete,
            storeName,
            token => new ValueTask<bool>(_dapr.TryDeleteStateAsync(storeName, key, etag, StateMetadata.FirstWrite, cancellationToken: token)),
            cancellationToken);
    }

    /// <summary>
    /// Applies <paramref name="operations"/> atomically: the sidecar checks every ETag (and every
    /// first-write condition), then writes all or nothing. Sent once, never retried.
    /// </summary>
    /// <returns>
    /// <see cref="StateWriteOutcome.Written"/>, or <see cref="StateWriteOutcome.Unknown"/>: any failure
    /// of a transaction, an ETag mismatch included, is <c>Internal</c> <c>ERR_STATE_TRANSACTION</c>;
    /// re-read every key involved to learn what is stored.
    /// </returns>
    /// <exception cref="DaprException">The request itself was refused, or the store is not configured or not transactional.</exception>
    public Task<StateWriteResult> TryExecuteStateTransactionAsync(string storeName, IReadOnlyCollection<StateTransactionOperation> operations, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeName);
        ArgumentNullException.ThrowIfNull(operations);
        if (operations.Count == 0 || operations.Any(o => o is null))
        {
            throw new ArgumentException("A transaction needs at least one operation and no nulls.", nameof(operations));
        }

        IReadOnlyList<StateTransactionRequest> requests = [.. operations.Select(o => o.ToRequest(_json))];
        return OnceAsync(Operations.Transaction, storeName, async token =>
        {
            await _dapr.ExecuteStateTransactionAsync(storeName, requests, cancellationToken: token).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    private async Task<TResult> RetriedAsync<TArgument, TResult>(
        string operation,
        string storeName,
        Func<string, TArgument, CancellationToken, ValueTask<TResult>> call,
        TArgument argument,
        CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(operation, cancellationToken);
        try
        {
            var outcome = await _pipelines.Retried.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    try
                    {
                        return Outcome.FromResult(await state.call(state.storeName, state.argument, ctx.CancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception e)
                    {
                        return Outcome.FromException<TResult>(e);
                    }
                },
                context,
                (call, storeName, argument)).ConfigureAwait(false);
            if (outcome.Exception is null)
            {
                return outcome.Result!;
            }

            var failure = outcome.Exception;
            if (failure is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            if (_logger.IsEnabled(LogLevel.Debug))
            {
#pragma warning disable CA1873 // guarded by IsEnabled: the analyzer does not see it
                StateLog.CallFailed(_logger, operation, storeName, StateCallPipelines.Describe(failure));
#pragma warning restore CA1873
            }

            if (failure is TimeoutRejectedException or OperationCanceledException)
            {
                throw new DaprException($"Dapr {operation} on store '{storeName}' got no answer within {_pipelines.AttemptTimeoutText}", failure);
            }

            ExceptionDispatchInfo.Throw(failure);
            throw new UnreachableException();
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async Task<StateWriteResult> OnceAsync(string operation, string storeName, Func<CancellationToken, ValueTask<bool>> write, CancellationToken cancellationToken)
    {
        try
        {
            var written = await _pipelines.Once.ExecuteAsync(static (w, token) => w(token), write, cancellationToken).ConfigureAwait(false);
            if (written)
            {
                return StateWriteResult.Written;
            }

            // The SDK's Try… methods answer false for exactly one thing: Aborted, an ETag mismatch.
            var mismatch = StateWriteResult.NotConfirmed(StateWriteFailure.EtagMismatch, Grpc.Core.StatusCode.Aborted, null, "etag mismatch");
            StateLog.WriteNotConfirmed(_logger, operation, storeName, mismatch.Failure, mismatch.StatusCode, null);
            return mismatch;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is TimeoutRejectedException or OperationCanceledException)
        {
            StateLog.WriteNotConfirmed(_logger, operation, storeName, StateWriteFailure.NoAnswer, null, null);
            return StateWriteResult.NotConfirmed(StateWriteFailure.NoAnswer, null, null, $"no answer within {_pipelines.AttemptTimeoutText}");
        }
        catch (DaprException e) when (SidecarFailure.Of(e) is { } failure)
        {
            if (SidecarFailure.ClassifyWrite(failure) is not { } reason)
            {
                if (_logger.IsEnabled(LogLevel.Debug))
                {
#pragma warning disable CA1873 // guarded by IsEnabled: the analyzer does not see it
                    StateLog.CallFailed(_logger, operation, storeName, failure.ToString());
#pragma warning restore CA1873
                }

                throw;
            }

            StateLog.WriteNotConfirmed(_logger, operation, storeName, reason, failure.StatusCode, failure.Reason);
            return StateWriteResult.NotConfirmed(reason, failure.StatusCode, failure.Reason, failure.Message);
        }
    }

    private static class Operations
    {
        public const string Get = "state.get";
        public const string BulkGet = "state.bulk_get";
        public const string Save = "state.save";
        public const string TrySave = "state.try_save";
        public const string Delete = "state.delete";
        public const string TryDelete = "state.try_delete";
        public const string Transaction = "state.transaction";
    }
}

/// <summary>The state options and metadata the adapter sends.</summary>
internal static class StateMetadata
{
    public const string TimeToLiveKey = "ttlInSeconds";

    public static StateOptions FirstWrite { get; } = new() { Concurrency = ConcurrencyMode.FirstWrite };

    public static StateOptions LastWrite { get; } = new() { Concurrency = ConcurrencyMode.LastWrite };

    /// <summary><c>metadata.ttlInSeconds</c> rounded up to whole seconds, or null for no expiry.</summary>
    public static IReadOnlyDictionary<string, string>? TimeToLive(TimeSpan? timeToLive, string parameterName)
    {
        if (timeToLive is not { } ttl)
        {
            return null;
        }

        if (ttl <= TimeSpan.Zero || ttl > TimeSpan.FromSeconds(int.MaxValue))
        {
            throw new ArgumentOutOfRangeException(parameterName, timeToLive, "A time to live must be positive and fit in whole seconds.");
        }

        var seconds = (long)Math.Ceiling(ttl.TotalSeconds);
        return new Dictionary<string, string> { [TimeToLiveKey] = seconds.ToString(CultureInfo.InvariantCulture) };
    }
}
