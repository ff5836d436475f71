using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gateway.ServiceDefaults.Dapr;

/// <summary>
/// Service invocation through this service's Dapr sidecar:
/// <c>/v1.0/invoke/{appId}/method/{methodPath}</c> (DAPR-HTTP.md section 2). Registered as a
/// singleton by <c>AddDaprSidecar</c>.
/// </summary>
/// <remarks>
/// GET and HEAD calls are retried when the sidecar cannot be reached or answers 500
/// <c>ERR_DIRECT_INVOKE</c> (it could not reach the callee; seen only on a GET, as a HEAD answer has
/// no body to say so); every other method is sent exactly once, because the callee may have acted on it. A callee's own answers, errors included, are never
/// retried. Invocations have no client-side timeout: pass a <see cref="CancellationToken"/>.
/// </remarks>
public sealed class DaprInvocationClient
{
    private const string Operation = "invoke";
    private const string DirectInvokeError = "ERR_DIRECT_INVOKE";

    private readonly DaprSidecarChannel _channel;

    internal DaprInvocationClient(DaprSidecarChannel channel) => _channel = channel;

    /// <summary>
    /// Calls <paramref name="methodPath"/> on <paramref name="appId"/> without a body and reads the
    /// JSON answer. <paramref name="methodPath"/> is the callee's path as plain text, e.g.
    /// <c>reservations/r 1</c>: each segment is percent-encoded, the slashes are kept, and <c>.</c> or
    /// <c>..</c> segments are refused. For a query string, use <see cref="InvokeMethodWithResponseAsync"/>.
    /// </summary>
    /// <returns>The answer read as <typeparamref name="TResponse"/>; default for an empty answer (e.g. 204).</returns>
    /// <exception cref="DaprApiException">
    /// The answer was not a success: <see cref="DaprApiException.StatusCode"/> is the callee's status,
    /// <see cref="DaprApiException.ErrorCode"/> is set only when the sidecar itself answered (e.g.
    /// <c>ERR_DIRECT_INVOKE</c>); or no answer came. Use <see cref="InvokeMethodWithResponseAsync"/>
    /// to handle a callee's error statuses as values.
    /// </exception>
    public Task<TResponse?> InvokeMethodAsync<TResponse>(HttpMethod method, string appId, string methodPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        return InvokeAsync<TResponse>(method, appId, methodPath, () => null, cancellationToken);
    }

    /// <summary>
    /// Calls <paramref name="methodPath"/> (plain text, encoded as in the other overload) on
    /// <paramref name="appId"/> with <paramref name="request"/> as a JSON body and reads the JSON answer.
    /// </summary>
    /// <returns>The answer read as <typeparamref name="TResponse"/>; default for an empty answer (e.g. 204).</returns>
    /// <exception cref="DaprApiException">The answer was not a success, or no answer came (see the other overload).</exception>
    public Task<TResponse?> InvokeMethodAsync<TRequest, TResponse>(HttpMethod method, string appId, string methodPath, TRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);

        // Serialised once, up front: a value that cannot be serialised fails here as itself, not
        // as a transport error halfway through sending.
        var body = JsonSerializer.SerializeToUtf8Bytes(request, _channel.Json);
        return InvokeAsync<TResponse>(
            method,
            appId,
            methodPath,
            () => new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } } },
            cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="request"/> to <paramref name="appId"/> and returns the callee's answer
    /// as it comes, whatever its status, as soon as its headers arrive: the body streams.
    /// </summary>
    /// <remarks>
    /// The request's <see cref="HttpRequestMessage.RequestUri"/> is the callee's path and query,
    /// relative and already percent-encoded (e.g. <c>orders/42?verbose=true</c>); an absolute URI is
    /// refused so the sidecar's API token never leaves for another host. The request is rewritten to
    /// address the sidecar (any <c>dapr-api-token</c> or <c>dapr-app-id</c> header it carries is
    /// replaced or removed) and is not disposed. A GET or HEAD without content is retried by sending
    /// copies; anything else is sent once.
    /// </remarks>
    /// <returns>The callee's response; the caller disposes it.</returns>
    /// <exception cref="DaprApiException">No answer came from the sidecar.</exception>
    public async Task<HttpResponseMessage> InvokeMethodWithResponseAsync(string appId, HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(appId);
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestUri is null)
        {
            throw new ArgumentException("The request needs a RequestUri: the callee's path, relative.", nameof(request));
        }

        var uri = _channel.CreateUri(SidecarPaths.Invoke(appId, SidecarPaths.CheckEncodedMethodPath(request.RequestUri, nameof(request))));

        // The sidecar routes by this header ahead of the path, so a forwarded one could redirect the call.
        request.Headers.Remove("dapr-app-id");
        var repeatable = IsSafe(request.Method) && request.Content is null;
        Func<HttpRequestMessage> createRequest = repeatable
            ? () => Copy(request, uri)
            : () =>
            {
                request.RequestUri = uri;
                return request;
            };

        using var call = _channel.Telemetry.Start(Operation, DaprClientTelemetry.AppIdTag, appId, request.Method);
        var response = await SendAsync(
            call,
            appId,
            repeatable ? SidecarCallPolicy.Retried : SidecarCallPolicy.Once,
            createRequest,
            HttpCompletionOption.ResponseHeadersRead,
            cancellationToken).ConfigureAwait(false);
        call.Complete((int)response.StatusCode < 400 ? DaprCallOutcome.Ok : DaprCallOutcome.ErrorStatus, response.StatusCode);
        return response;
    }

    private async Task<TResponse?> InvokeAsync<TResponse>(HttpMethod method, string appId, string methodPath, Func<HttpContent?> createContent, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(appId);
        ArgumentNullException.ThrowIfNull(methodPath);
        var uri = _channel.CreateUri(SidecarPaths.Invoke(appId, SidecarPaths.EncodeMethodPath(methodPath, nameof(methodPath))));
        using var call = _channel.Telemetry.Start(Operation, DaprClientTelemetry.AppIdTag, appId, method);
        using var response = await SendAsync(
            call,
            appId,
            IsSafe(method) ? SidecarCallPolicy.Retried : SidecarCallPolicy.Once,
            () =>
            {
                var request = new HttpRequestMessage(method, uri) { Content = createContent() };
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                return request;
            },
            HttpCompletionOption.ResponseContentRead,
            cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            // The callee's body may carry its data; only a sidecar's own Dapr error is passed on.
            var error = await SidecarError.ReadAsync(response, keepPlainText: false, cancellationToken).ConfigureAwait(false);
            call.Complete(DaprCallOutcome.ErrorStatus, error.StatusCode, error.ErrorCode);
            DaprClientLog.CallFailed(_channel.Logger, Operation, appId, (int)error.StatusCode, error.ErrorCode);
            throw error.ToException($"Dapr invoke of {method.Method} '{methodPath}' on app '{appId}'");
        }

        if (response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0)
        {
            call.Complete(DaprCallOutcome.Ok, response.StatusCode);
            return default;
        }

        var value = await response.Content.ReadFromJsonAsync<TResponse>(_channel.Json, cancellationToken).ConfigureAwait(false);
        call.Complete(DaprCallOutcome.Ok, response.StatusCode);
        return value;
    }

    private async Task<HttpResponseMessage> SendAsync(DaprCall call, string appId, SidecarCallPolicy policy, Func<HttpRequestMessage> createRequest, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        try
        {
            return await _channel.SendAsync(call, policy, createRequest, IsTransientInvokeFailure, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (DaprSidecarChannel.IsNoAnswer(e))
        {
            call.Complete(DaprCallOutcome.TransportError);
            DaprClientLog.NoAnswer(_channel.Logger, Operation, appId, call.Attempts, e.Message);
            throw new DaprApiException($"Dapr invoke on app '{appId}' got no answer from the sidecar after {call.Attempts} attempt(s): {e.Message}", null, null, e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            call.Complete(DaprCallOutcome.Canceled);
            throw;
        }
    }

    /// <summary>
    /// The sidecar could not reach the callee: worth another attempt of a safe call. A callee's
    /// own 5xx is its answer and is not retried here.
    /// </summary>
    internal static async ValueTask<bool> IsTransientInvokeFailure(HttpResponseMessage response, CancellationToken cancellationToken) =>
        response.StatusCode == HttpStatusCode.InternalServerError
        && await SidecarError.PeekErrorCodeAsync(response, cancellationToken).ConfigureAwait(false) == DirectInvokeError;

    private static bool IsSafe(HttpMethod method) => method == HttpMethod.Get || method == HttpMethod.Head;

    private static HttpRequestMessage Copy(HttpRequestMessage original, Uri uri)
    {
        var copy = new HttpRequestMessage(original.Method, uri) { Version = original.Version, VersionPolicy = original.VersionPolicy };
        foreach (var header in original.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        IDictionary<string, object?> options = copy.Options;
        foreach (var option in original.Options)
        {
            options[option.Key] = option.Value;
        }

        return copy;
    }
}
