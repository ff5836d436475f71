using Dapr;
using Dapr.Common.Exceptions;
using Gateway.ServiceDefaults.Dapr;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Gateway.ServiceDefaults.Tests.Dapr;

/// <summary>How each refusal of a conditional write is reported (DAPR-SDK.md §3): a value to re-read after, or an exception for a wrong request.</summary>
public sealed class StateWriteFailureTests
{
    public static TheoryData<StatusCode, string?, string, StateWriteFailure?> Answers => new()
    {
        { StatusCode.Aborted, "ERR_STATE_SAVE", "possible etag mismatch. error from state store", StateWriteFailure.EtagMismatch },
        { StatusCode.Aborted, "ERR_STATE_DELETE", "possible etag mismatch. error from state store", StateWriteFailure.EtagMismatch },
        { StatusCode.Internal, "ERR_STATE_TRANSACTION", "error while executing state transaction: possible etag mismatch. error from state store", StateWriteFailure.EtagMismatch },
        { StatusCode.Internal, "ERR_STATE_TRANSACTION", "error while executing state transaction: database is locked", StateWriteFailure.SidecarError },
        { StatusCode.Internal, "ERR_STATE_SAVE", "failed saving state in state store statestore: first-write conflict", StateWriteFailure.SidecarError },
        { StatusCode.Internal, null, "", StateWriteFailure.SidecarError },
        { StatusCode.Unknown, null, "", StateWriteFailure.SidecarError },
        { StatusCode.Unavailable, null, "connection refused", StateWriteFailure.NoAnswer },
        { StatusCode.DeadlineExceeded, null, "", StateWriteFailure.NoAnswer },
        { StatusCode.FailedPrecondition, "DAPR_STATE_NOT_CONFIGURED", "state store is not configured", null },
        { StatusCode.Unimplemented, "ERR_STATE_STORE_NOT_SUPPORTED", "state store statestore doesn't support transactions", null },
        { StatusCode.InvalidArgument, "ERR_STATE_SAVE", "invalid etag value", null },
        { StatusCode.InvalidArgument, "DAPR_STATE_NOT_FOUND", "state store x is not found", null },
        { StatusCode.InvalidArgument, "DAPR_STATE_ILLEGAL_KEY", "input key/keyPrefix 'a||b' can't contain '||'", null },
        { StatusCode.Unauthenticated, "Unauthorized", "Unauthorized", null },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void ClassifyWrite_MapsEachAnswer(StatusCode status, string? reason, string message, StateWriteFailure? expected)
    {
        var failure = SidecarFailure.Of(new DaprException("failed", Rpc(status, reason, message)));

        Assert.NotNull(failure);
        Assert.Equal(reason, failure.Reason);
        Assert.Equal(expected, SidecarFailure.ClassifyWrite(failure));
    }

    [Fact]
    public void ReasonOf_ReadsTheErrorInfoThatDaprdWrites_WhereTheSdkParserFindsNothing()
    {
        var rpc = Rpc(StatusCode.InvalidArgument, "DAPR_STATE_NOT_FOUND", "state store x is not found");

        Assert.Equal("DAPR_STATE_NOT_FOUND", SidecarFailure.ReasonOf(rpc));
        Assert.True(new DaprException("failed", rpc).TryGetExtendedErrorInfo(out var sdk));
        Assert.DoesNotContain(sdk.Details, d => d is DaprErrorInfoDetail);
    }

    [Fact]
    public void ReasonOf_GarbledDetails_IsNull()
    {
        var rpc = new RpcException(new global::Grpc.Core.Status(StatusCode.Internal, "x"), new Metadata { { "grpc-status-details-bin", new byte[] { 0xff, 0x01 } } });

        Assert.Null(SidecarFailure.ReasonOf(rpc));
    }

    [Fact]
    public void DefaultResult_IsNeverWritten()
    {
        Assert.Equal(StateWriteOutcome.Unknown, default(StateWriteOutcome));
        Assert.True(StateWriteResult.Written.IsWritten);
        Assert.Equal(StateWriteFailure.None, StateWriteResult.Written.Failure);
    }

    private static RpcException Rpc(StatusCode status, string? reason, string message)
    {
        var trailers = new Metadata();
        if (reason is not null)
        {
            var details = new Google.Rpc.Status { Code = (int)status, Message = message, Details = { Any.Pack(new ErrorInfo { Reason = reason, Domain = "dapr.io" }) } };
            trailers.Add("grpc-status-details-bin", details.ToByteArray());
        }

        return new RpcException(new global::Grpc.Core.Status(status, message), trailers);
    }
}
