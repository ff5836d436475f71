using System.Net;

namespace Gateway.ServiceDefaults.Dapr;

/// <summary>
/// A call to the sidecar failed in a way the caller did not ask to receive as a value: the sidecar
/// answered with an error (<see cref="StatusCode"/> set, <see cref="ErrorCode"/> from its
/// <c>{"errorCode","message"}</c> body when it sent one), or no answer came at all
/// (<see cref="StatusCode"/> null; the transport failure or timeout is the
/// <see cref="Exception.InnerException"/>). Cancellation by the caller is never wrapped: it stays an
/// <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class DaprApiException : global::Dapr.DaprException
{
    public DaprApiException(string message)
        : base(message)
    {
    }

    public DaprApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DaprApiException(string message, HttpStatusCode? statusCode, string? errorCode, Exception? innerException = null)
        : base(message, innerException!)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
    }

    /// <summary>The status the sidecar (or, for an invocation, the callee) answered with; null when no answer came.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>
    /// Dapr's error code, e.g. <c>ERR_STATE_STORE_NOT_FOUND</c>; null when the body was not a Dapr
    /// error (a 401 for a wrong API token is plain text; a callee's own error is its business).
    /// </summary>
    public string? ErrorCode { get; }
}
