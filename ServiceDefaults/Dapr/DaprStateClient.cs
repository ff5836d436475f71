using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gateway.ServiceDefaults.Dapr;

/// <summary>
/// The state API of this service's Dapr sidecar (DAPR-HTTP.md section 1). Registered as a
/// singleton by <c>AddDaprSidecar</c>.
/// </summary>
/// <remarks>
/// <para>Reads, unconditional saves and unconditional deletes are retried on transient failures
/// (see <see cref="DaprClientOptions"/>) and throw <see cref="DaprApiException"/> when they fail.</para>
/// <para>Conditional writes (<see cref="TrySaveStateAsync{T}"/>, <see cref="TryDeleteStateAsync"/>)
/// and transactions are sent exactly once and never throw for a conflict: they return a
/// <see cref="StateWriteResult"/> that is either <see cref="StateWriteOutcome.Written"/> or
/// <see cref="StateWriteOutcome.Unknown"/>, after which the caller re-reads and decides.</para>
/// <para>Keys are the caller's; the sidecar prefixes them with the app id. A key containing
/// <c>||</c> is refused by the sidecar (400 <c>ERR_MALFORMED_REQUEST</c>); a key that contains
/// <c>/</c> or is <c>.</c> or <c>..</c> is refused here with an <see cref="ArgumentException"/>
/// because the sidecar reads and deletes keys through URL paths, where those cannot be addressed
/// (encode such parts of a key first, e.g. hash a caller-supplied idempotency key).</para>
/// </remarks>
public sealed class DaprStateClient
{
    private const string ETagHeader = "ETag";

    private readonly DaprSidecarChannel _channel;

    internal DaprStateClient(DaprSidecarChannel channel) => _channel = channel;

    /// <summary>Reads <paramref name="key"/>: its value and ETag, or null when the key does not exist.</summary>
    /// <exception cref="DaprApiException">The sidecar answered with an error, or did not answer within the retries.</exception>
    /// <exception cref="JsonException">The stored JSON cannot be read as <typeparamref name="T"/>.</exception>
    public async Task<StateEntry<T>?> GetStateAsync<T>(string storeName, string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeName);
        SidecarPaths.CheckStateKey(key, nameof(key));
        using var call = _channel.Telemetry.Start(Operations.Get, DaprClientTelemetry.StoreTag, storeName);
        var uri = _channel.CreateUri(SidecarPaths.StateKey(storeName, key));
        using var response = await SendAsync(call, storeName, SidecarCallPolicy.RetriedBounded, () => new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            call.Complete(DaprCallOutcome.Ok, response.StatusCode);
            return null;
        }

        var value = await response.Content.ReadFromJsonAsync<T>(_channel.Json, cancellationToken).ConfigureAwait(false);
        var etag = response.Headers.NonValidated.TryGetValues(ETagHeader, out var values) ? values.ToString() : null;
        call.Complete(DaprCallOutcome.Ok, response.StatusCode);
        return new StateEntry<T>(key, value!, etag);
    }

    /// <summary>
    /// Reads several keys at once; the answer has one item per key, in the order asked. A missing
    /// key is an item with <see cref="BulkStateItem{T}.Found"/> false. Not atomic: each key is read
    /// on its own. <paramref name="parallelism"/> is how many keys the sidecar reads at once; null
    /// (default) leaves it to the sidecar.
    /// </summary>
    /// <exception cref="DaprApiException">The sidecar answered with an error, or did not answer within the retries.</exception>
    public async Task<IReadOnlyList<BulkStateItem<T>>> GetBulkStateAsync<T>(string storeName, IReadOnlyCollection<string> keys, int? parallelism = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeName);
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys)
        {
            SidecarPaths.CheckStateKey(key, nameof(keys));
        }

        if (parallelism is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, "Parallelism must be positive when given.");
        }

        var body = StateRequestBody.BulkGet(keys, parallelism);
        using var call = _channel.Telemetry.Start(Operations.BulkGet, DaprClientTelemetry.StoreTag, storeName);
        var uri = _channel.CreateUri(SidecarPaths.BulkState(storeName));
        using var response = await SendAsync(
            call,
            storeName,
            SidecarCallPolicy.RetriedBounded,
            () => new HttpRequestMessage(HttpMethod.Post, uri) { Content = StateRequestBody.Content(body) },
            cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        var items = new List<BulkStateItem<T>>(keys.Count);
        foreach (var element in document.RootElement.EnumerateArray())
        {
            var key = element.GetProperty("key").GetString() ?? "";
            var found = element.TryGetProperty("data", out var data);
            var value = found ? data.Deserialize<T>(_channel.Json) : default;
            var etag = element.TryGetProperty("etag", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            var error = element.TryGetProperty("error", out var r) && r.ValueKind == JsonValueKind.String && r.GetString() is { Length: > 0 } text ? text : null;
            items.Add(new BulkStateItem<T>(key, found, value, etag, error));
        }

        call.Complete(DaprCallOutcome.Ok, response.StatusCode);
        return items;
    }

    /// <summary>
    /// Writes <paramref name="value"/> at <paramref name="key"/> whatever is there (last-write, no
    /// ETag). Safe to repeat, so it is retried on transient failures. To write only over a known
    /// version, or only when the key is new, use <see cref="TrySaveStateAsync{T}"/>.
    /// <paramref name="timeToLive"/> is sent as <c>metadata.ttlInSeconds</c>, rounded up to whole
    /// seconds; null (default) for no expiry.
    /// </summary>
    /// <exception cref="DaprApiException">The sidecar answered with an error, or did not answer within the retries.</exception>
    public async Task SaveStateAsync<T>(string storeName, string key, T value, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeName);
        SidecarPaths.CheckStateKey(key, nameof(key));
        StateRequestBody.CheckTimeToLive(timeToLive, nameof(timeToLive));
        var body = StateRequestBody.Save(key, value, typeof(T), null, null, timeToLive, _channel.Json);
        using var call = _channel.Telemetry.Start(Operations.Save, DaprClientTelemetry.StoreTag, storeName);
        var uri = _channel.CreateUri(SidecarPaths.State(storeName));
        using var response = await SendAsync(
            call,
            storeName,
            SidecarCallPolicy.RetriedBounded,
            () => new HttpRequestMessage(HttpMethod.Post, uri) { Content = StateRequestBody.Content(body) },
            cancellationToken).ConfigureAwait(false);
        call.Complete(DaprCallOutcome.Ok, response.StatusCode);
    }

    /// <summary>
    /// Compare-and-set: writes <paramref name="value"/> only if <paramref name="key"/> still has
    /// <paramref name="etag"/> or, when <paramref name="etag"/> is null, only if the key does not
    /// exist yet (first-write concurrency). Sent once, never retried. <paramref name="etag"/> is the
    /// ETag read with the version being replaced (null to create the key); <paramref name="timeToLive"/>
    /// is sent as <c>metadata.ttlInSeconds</c>, rounded up to whole seconds (null, the default: no expiry).
    /// </summary>
    /// <returns>
    /// <see cref="StateWriteOutcome.Written"/>, or <see cref="StateWriteOutcome.Unknown"/>: re-read to
    /// learn who won. The sidecar answers no ETag for the new version; read again before another
    /// conditional write.
    /// </returns>
    /// <exception cref="DaprApiException">The request itself was refused (4xx other than 409, e.g. unknown store, malformed ETag, missing API token), or the store is not configured.</exception>
    public Task<StateWriteResult> TrySaveStateAsync<T>(string storeName, string key, T value, string? etag, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeName);
        SidecarPaths.CheckStateKey(key, nameof(key));
        if (etag is { Length: 0 })
        {
            throw new ArgumentException("An ETag must not be empty; pass null to create the key.", nameof(etag));
        }

        StateRequestBody.CheckTimeToLive(timeToLive, nameof(timeToLive));
        var body = StateRequestBody.Save(key, value, typeof(T), etag, StateConcurrency.FirstWrite, timeToLive, _channel.Json);
        var uri = _channel.CreateUri(SidecarPaths.State(storeName));
        return TryWriteAsync(
            Operations.TrySave,
            storeName,
            () => new HttpRequestMessage(HttpMethod.Post, uri) { Content = StateRequestBody.Content(body) },
            cancellationToken);
    }

    /// <summary>Deletes <paramref name="key"/> whatever its version; deleting a missing key succeeds. Retried on transient failures.</summary>
    /// <exception cref="DaprApiException">The sidecar answered with an error, or did not answer within the retries.</exception>
    public async Task DeleteStateAsync(string storeName, string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeName);
        SidecarPaths.CheckStateKey(key, nameof(key));
        using var call = _channel.Telemetry.Start(Operations.Delete, DaprClientTelemetry.StoreTag, storeName);
        var uri = _channel.CreateUri(SidecarPaths.StateKey(storeName, key));
        using var response = await SendAsync(call, storeName, SidecarCallPolicy.RetriedBounded, () => new HttpRequestMessage(HttpMethod.Delete, uri), cancellationToken).ConfigureAwait(false);
        call.Complete(DaprCallOutcome.Ok, response.StatusCode);
    }

    /// <summary>Deletes <paramref name="key"/> only if it still has <paramref name="etag"/> (sent as <c>If-Match</c>). Sent once, never retried.</summary>
    /// <returns><see cref="StateWriteOutcome.Written"/> when deleted, else <see cref="StateWriteOutcome.Unknown"/>: re-read.</returns>
    /// <exception cref="DaprApiException">The request itself was refused (4xx other than 409), or the store is not configured.</exception>
    public Task<StateWriteResult> TryDeleteStateAsync(string storeName, string key, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeName);
        SidecarPaths.CheckStateKey(key, nameof(key));
        ArgumentException.ThrowIfNullOrEmpty(etag);
        var uri = _channel.CreateUri(SidecarPaths.StateKey(storeName, key));
        return TryWriteAsync(
            Operations.TryDelete,
            storeName,
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Delete, uri);

                // Dapr ETags are opaque and unquoted; the typed If-Match header would demand quotes.
                request.Headers.TryAddWithoutValidation("If-Match", etag);
                return request;
            },
            cancellationToken);
    }

    /// <summary>
    /// Applies <paramref name="operations"/> atomically: the sidecar checks every ETag (and every
    /// first-write condition), then writes all or nothing. Sent once, never retried.
    /// </summary>
    /// <returns>
    /// <see cref="StateWriteOutcome.Written"/>, or <see cref="StateWriteOutcome.Unknown"/>: any failure
    /// of a transaction, an ETag mismatch included, is a 500 <c>ERR_STATE_TRANSACTION</c>; re-read
    /// every key involved to learn what is stored.
    /// </returns>
    /// <exception cref="DaprApiException">The request itself was refused (4xx), or the store is not configured or not transactional.</exception>
    public Task<StateWriteResult> TryExecuteStateTransactionAsync(string storeName, IReadOnlyCollection<StateTransactionOperation> operations, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeName);
        ArgumentNullException.ThrowIfNull(operations);
        if (operations.Any(o => o is null))
        {
            throw new ArgumentException("Operations must not contain null.", nameof(operations));
        }

        var body = StateRequestBody.Transaction(operations, _channel.Json);
        var uri = _channel.CreateUri(SidecarPaths.StateTransaction(storeName));
        return TryWriteAsync(
            Operations.Transaction,
            storeName,
            () => new HttpRequestMessage(HttpMethod.Post, uri) { Content = StateRequestBody.Content(body) },
            cancellationToken);
    }

    private async Task<StateWriteResult> TryWriteAsync(string operation, string storeName, Func<HttpRequestMessage> createRequest, CancellationToken cancellationToken)
    {
        using var call = _channel.Telemetry.Start(operation, DaprClientTelemetry.StoreTag, storeName);
        HttpResponseMessage response;
        try
        {
            response = await _channel.SendAsync(call, SidecarCallPolicy.OnceBounded, createRequest, NeverTransient, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (DaprSidecarChannel.IsNoAnswer(e))
        {
            call.Complete(DaprCallOutcome.TransportError);
            DaprClientLog.WriteNotConfirmed(_channel.Logger, operation, storeName, StateWriteFailure.NoAnswer, null, null);
            return StateWriteResult.NotConfirmed(StateWriteFailure.NoAnswer, null, null, DescribeNoAnswer(e));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            call.Complete(DaprCallOutcome.Canceled);
            throw;
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                call.Complete(DaprCallOutcome.Written, response.StatusCode);
                return StateWriteResult.Written;
            }

            var error = await SidecarError.ReadAsync(response, keepPlainText: true, cancellationToken).ConfigureAwait(false);
            if (ClassifyWriteFailure(error) is not { } failure)
            {
                call.Complete(DaprCallOutcome.SidecarError, error.StatusCode, error.ErrorCode);
                DaprClientLog.CallFailed(_channel.Logger, operation, storeName, (int)error.StatusCode, error.ErrorCode);
                throw error.ToException($"Dapr {operation} on store '{storeName}'");
            }

            call.Complete(failure == StateWriteFailure.EtagMismatch ? DaprCallOutcome.EtagMismatch : DaprCallOutcome.SidecarError, error.StatusCode, error.ErrorCode);
            DaprClientLog.WriteNotConfirmed(_channel.Logger, operation, storeName, failure, (int)error.StatusCode, error.ErrorCode);
            return StateWriteResult.NotConfirmed(failure, error.StatusCode, error.ErrorCode, error.Message);
        }
    }

    /// <summary>
    /// How a refused conditional write is reported, or null when the refusal proves the request
    /// itself wrong (it never reached the data, and re-reading would not help).
    /// </summary>
    internal static StateWriteFailure? ClassifyWriteFailure(SidecarError error) => (int)error.StatusCode switch
    {
        409 => StateWriteFailure.EtagMismatch,
        >= 500 when IsConfigurationError(error.ErrorCode) => null,
        >= 500 when error.ErrorCode == "ERR_STATE_TRANSACTION" && error.Message?.Contains("etag mismatch", StringComparison.OrdinalIgnoreCase) == true => StateWriteFailure.EtagMismatch,
        >= 500 => StateWriteFailure.SidecarError,
        _ => null,
    };

    /// <summary>
    /// The 5xx answers that mean the store or sidecar hiccupped (worth another attempt of a call
    /// that is safe to repeat), as opposed to a store that is missing or cannot do the operation.
    /// </summary>
    internal static async ValueTask<bool> IsTransientStateFailure(HttpResponseMessage response, CancellationToken cancellationToken) =>
        (int)response.StatusCode switch
        {
            502 or 503 or 504 => true,
            500 => !IsConfigurationError(await SidecarError.PeekErrorCodeAsync(response, cancellationToken).ConfigureAwait(false)),
            _ => false,
        };

    private static bool IsConfigurationError(string? errorCode) =>
        errorCode is "ERR_STATE_STORE_NOT_CONFIGURED" or "ERR_STATE_STORE_NOT_SUPPORTED";

    private static ValueTask<bool> NeverTransient(HttpResponseMessage response, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    private string DescribeNoAnswer(Exception exception) => exception is HttpRequestException
        ? exception.Message
        : $"no answer within {_channel.Options.AttemptTimeout.TotalMilliseconds} ms";

    /// <summary>Sends a call that must succeed; turns every failure but the caller's cancellation into a <see cref="DaprApiException"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(DaprCall call, string storeName, SidecarCallPolicy policy, Func<HttpRequestMessage> createRequest, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _channel.SendAsync(call, policy, createRequest, IsTransientStateFailure, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (DaprSidecarChannel.IsNoAnswer(e))
        {
            call.Complete(DaprCallOutcome.TransportError);
            var failure = DescribeNoAnswer(e);
            DaprClientLog.NoAnswer(_channel.Logger, call.Operation, storeName, call.Attempts, failure);
            throw new DaprApiException($"Dapr {call.Operation} on store '{storeName}' got no answer after {call.Attempts} attempt(s): {failure}", null, null, e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            call.Complete(DaprCallOutcome.Canceled);
            throw;
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var error = await SidecarError.ReadAsync(response, keepPlainText: true, cancellationToken).ConfigureAwait(false);
            call.Complete(DaprCallOutcome.SidecarError, error.StatusCode, error.ErrorCode);
            DaprClientLog.CallFailed(_channel.Logger, call.Operation, storeName, (int)error.StatusCode, error.ErrorCode);
            throw error.ToException($"Dapr {call.Operation} on store '{storeName}'");
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
