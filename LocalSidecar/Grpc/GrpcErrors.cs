using System.Diagnostics;
using Gateway.LocalSidecar.State;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Status = Google.Rpc.Status;

namespace Gateway.LocalSidecar.Grpc;

/// <summary>
/// daprd's gRPC errors: a status code and message, and in <c>grpc-status-details-bin</c> a
/// <c>google.rpc.Status</c> whose details hold an <c>ErrorInfo</c> (domain <c>dapr.io</c>, reason
/// <c>ERR_…</c> or <c>DAPR_…</c>), after a <c>BadRequest</c> and <c>ResourceInfo</c> where daprd adds them.
/// </summary>
internal static class GrpcErrors
{
    public const string DetailsTrailer = "grpc-status-details-bin";
    public const string Domain = "dapr.io";

    /// <summary>How daprd's gRPC API answers a refused or failed state request.</summary>
    public static RpcException From(StateFailure failure) => failure switch
    {
        StateFailure.StoreNotConfigured f => Create(StatusCode.FailedPrecondition, $"state store {f.Store} is not configured", ErrorInfo("DAPR_STATE_NOT_CONFIGURED")),
        StateFailure.StoreNotFound f => Create(StatusCode.InvalidArgument, $"state store {f.Store} is not found", ErrorInfo("DAPR_STATE_NOT_FOUND")),
        StateFailure.IllegalKey f => Create(
            StatusCode.InvalidArgument,
            f.Message,
            new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = f.Key, Description = f.Message } } },
            new ResourceInfo { ResourceType = "state", ResourceName = f.Store },
            ErrorInfo("DAPR_STATE_ILLEGAL_KEY")),
        StateFailure.MissingKey => Create(StatusCode.InvalidArgument, "state key cannot be empty", ErrorInfo("ERR_STATE_SAVE")),
        StateFailure.UnsupportedOperation f => Create(StatusCode.Unimplemented, f.Message, ErrorInfo("ERR_NOT_SUPPORTED_STATE_OPERATION")),
        StateFailure.StoreFailed f => Create(
            f.Kind switch
            {
                StoreFailureKind.ETagMismatch => StatusCode.Aborted,
                StoreFailureKind.ETagInvalid => StatusCode.InvalidArgument,
                StoreFailureKind.Failed => StatusCode.Internal,
                _ => throw new UnreachableException(),
            },
            f.Message,
            ErrorInfo(f.ErrorCode)),
        _ => throw new UnreachableException(),
    };

    /// <summary>
    /// daprd's answer to a missing or wrong <c>dapr-api-token</c>: <c>Unauthenticated</c>, reason
    /// <c>Unauthorized</c>, the HTTP code and detail in the ErrorInfo's metadata.
    /// </summary>
    public static RpcException Unauthenticated(string detail) =>
        Create(StatusCode.Unauthenticated, "Unauthorized", new ErrorInfo
        {
            Reason = "Unauthorized",
            Domain = Domain,
            Metadata = { ["http.code"] = "401", ["http.error_message"] = detail },
        });

    /// <summary>A request daprd rejects before it reaches the runtime (a body it cannot decode).</summary>
    public static RpcException InvalidArgument(string errorCode, string message) =>
        Create(StatusCode.InvalidArgument, message, ErrorInfo(errorCode));

    private static ErrorInfo ErrorInfo(string reason) => new() { Reason = reason, Domain = Domain };

    private static RpcException Create(StatusCode code, string message, params IMessage[] details)
    {
        var status = new Status { Code = (int)code, Message = message, Details = { details.Select(Any.Pack) } };
        return new RpcException(new global::Grpc.Core.Status(code, message), new global::Grpc.Core.Metadata { { DetailsTrailer, status.ToByteArray() } });
    }
}
