using System.Net;
using Gateway.ServiceDefaults.Dapr;

namespace Gateway.ServiceDefaults.Tests.Dapr;

/// <summary>How each refusal of a conditional write is reported (DAPR-HTTP.md section 1): a value to re-read after, or an exception for a wrong request.</summary>
public sealed class StateWriteFailureTests
{
    public static TheoryData<int, string?, string?, StateWriteFailure?> Answers => new()
    {
        { 409, "ERR_STATE_SAVE", "possible etag mismatch. error from state store", StateWriteFailure.EtagMismatch },
        { 409, "ERR_STATE_DELETE", "possible etag mismatch. error from state store", StateWriteFailure.EtagMismatch },
        { 500, "ERR_STATE_TRANSACTION", "error while executing state transaction: possible etag mismatch. error from state store", StateWriteFailure.EtagMismatch },
        { 500, "ERR_STATE_TRANSACTION", "error while executing state transaction: database is locked", StateWriteFailure.SidecarError },
        { 500, "ERR_STATE_SAVE", "failed saving state in state store statestore: first-write conflict", StateWriteFailure.SidecarError },
        { 500, null, null, StateWriteFailure.SidecarError },
        { 503, null, null, StateWriteFailure.SidecarError },
        { 500, "ERR_STATE_STORE_NOT_CONFIGURED", "state store is not configured", null },
        { 500, "ERR_STATE_STORE_NOT_SUPPORTED", "state store statestore doesn't support transactions", null },
        { 400, "ERR_STATE_SAVE", "invalid etag value", null },
        { 400, "ERR_STATE_STORE_NOT_FOUND", "state store x is not found", null },
        { 400, "ERR_MALFORMED_REQUEST", "input key/keyPrefix 'a||b' can't contain '||'", null },
        { 400, "ERR_NOT_SUPPORTED_STATE_OPERATION", "operation type merge not supported", null },
        { 401, null, "invalid api token", null },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void ClassifyWriteFailure_MapsEachAnswer(int status, string? errorCode, string? message, StateWriteFailure? expected)
    {
        Assert.Equal(expected, DaprStateClient.ClassifyWriteFailure(new SidecarError((HttpStatusCode)status, errorCode, message)));
    }

    [Fact]
    public void DefaultResult_IsNeverWritten()
    {
        Assert.Equal(StateWriteOutcome.Unknown, default(StateWriteOutcome));
        Assert.True(StateWriteResult.Written.IsWritten);
        Assert.Equal(StateWriteFailure.None, StateWriteResult.Written.Failure);
    }
}
