using Dapr;
using Google.Rpc;
using Grpc.Core;

namespace Gateway.ServiceDefaults.Dapr;

/// <summary>
/// How the sidecar answered a gRPC call the SDK turned into a <see cref="DaprException"/>: the
/// status code and the <c>ErrorInfo</c> reason (<c>ERR_…</c>, <c>DAPR_…</c>) that daprd puts in
/// <c>grpc-status-details-bin</c>.
/// </summary>
/// <remarks>
/// The SDK has a parser for these details (<c>TryGetExtendedErrorInfo</c>) but it looks for the
/// type URL <c>type.googleapis.com/Google.rpc.ErrorInfo</c>, with a capital G, and real protobuf
/// writes <c>google.rpc.ErrorInfo</c>: it never finds the reason (DAPR-SDK.md §1).
/// </remarks>
internal sealed record SidecarFailure(StatusCode StatusCode, string? Reason, string Message)
{
    private const string DetailsTrailer = "grpc-status-details-bin";

    /// <summary>True when a repeat of a call that is safe to repeat may succeed.</summary>
    public bool IsTransient => StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.DeadlineExceeded or StatusCode.Unknown;

    /// <summary>The sidecar's answer inside <paramref name="exception"/>, or null when it is not a gRPC failure (e.g. a value that could not be read).</summary>
    public static SidecarFailure? Of(DaprException exception) =>
        exception.InnerException is RpcException rpc ? new SidecarFailure(rpc.StatusCode, ReasonOf(rpc), rpc.Status.Detail) : null;

    /// <summary>The <c>ErrorInfo</c> reason in the trailers, or null when there is none.</summary>
    public static string? ReasonOf(RpcException exception)
    {
        if (exception.Trailers.GetValueBytes(DetailsTrailer) is not { } bytes)
        {
            return null;
        }

        try
        {
            var status = Google.Rpc.Status.Parser.ParseFrom(bytes);
            return status.Details.Select(d => d.TryUnpack<ErrorInfo>(out var info) ? info.Reason : null).FirstOrDefault(r => r is not null);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return null;
        }
    }

    /// <summary>
    /// How a refused conditional write is reported, or null when the refusal proves the request
    /// itself wrong (it never reached the data, and re-reading would not help).
    /// </summary>
    public static StateWriteFailure? ClassifyWrite(SidecarFailure failure) => failure.StatusCode switch
    {
        StatusCode.Aborted => StateWriteFailure.EtagMismatch,
        StatusCode.Internal when failure.Reason == "ERR_STATE_TRANSACTION" && failure.Message.Contains("etag mismatch", StringComparison.OrdinalIgnoreCase) => StateWriteFailure.EtagMismatch,
        StatusCode.Unavailable or StatusCode.DeadlineExceeded => StateWriteFailure.NoAnswer,
        StatusCode.Internal or StatusCode.Unknown or StatusCode.DataLoss => StateWriteFailure.SidecarError,
        _ => null,
    };

    public override string ToString() => Reason is null ? StatusCode.ToString() : $"{StatusCode} {Reason}";
}
