using Grpc.Core;

namespace Gateway.ServiceDefaults.Dapr;

/// <summary>What a caller can know after a conditional write or a transaction.</summary>
/// <remarks>
/// There is deliberately no "not written" outcome. Whatever went wrong, the caller's next step is
/// the same: re-read, then decide (report the state that won, or try again against the new ETag).
/// Even a clean 409 only says that <em>this request</em> was refused: the state the caller wanted
/// may already be there (written by an earlier attempt whose answer was lost), and inside a
/// transaction, or on a store such as state.redis, a mismatch is a 500 that cannot be told apart
/// from a failure after a partial write. <see cref="StateWriteResult.Failure"/> says why for logs
/// and metrics; it never changes what the caller must do.
/// </remarks>
public enum StateWriteOutcome
{
    /// <summary>
    /// Not confirmed: the write may or may not have been applied. Re-read the key(s) to learn the
    /// winner. This is the default value, so an uninitialised result never claims a write.
    /// </summary>
    Unknown = 0,

    /// <summary>The sidecar confirmed the write (<c>OK</c>): every ETag matched and everything was stored.</summary>
    Written = 1,
}

/// <summary>Why a conditional write or transaction was not confirmed. Diagnostic only: the caller re-reads in every case.</summary>
public enum StateWriteFailure
{
    /// <summary>Nothing failed: the write was confirmed.</summary>
    None = 0,

    /// <summary>
    /// The store refused the write because an ETag did not match, the key already existed
    /// (first-write without an ETag), or an ETag was given for a missing key: <c>Aborted</c> for a
    /// single save or delete, or a transaction's <c>Internal</c> <c>ERR_STATE_TRANSACTION</c> whose
    /// message reports an ETag mismatch. Someone else won; the re-read shows what they wrote.
    /// </summary>
    EtagMismatch = 1,

    /// <summary>
    /// The sidecar answered with another error (<c>Internal</c>, <c>Unknown</c>): the store may have applied all, some or none
    /// of the write (state.redis answers 500 for a first-write conflict and does not roll back
    /// transactions).
    /// </summary>
    SidecarError = 2,

    /// <summary>
    /// No answer came (the sidecar unreachable, or <see cref="DaprClientOptions.AttemptTimeout"/>
    /// elapsed): the request may have reached the store and been applied.
    /// </summary>
    NoAnswer = 3,
}

/// <summary>
/// The answer to a conditional write or a transaction: <see cref="StateWriteOutcome.Written"/>, or
/// <see cref="StateWriteOutcome.Unknown"/> with the reason. Errors that prove the request itself is
/// wrong (unknown store, malformed ETag, missing API token, …) are thrown as
/// the SDK's <see cref="global::Dapr.DaprException"/> instead: no re-read can fix them.
/// </summary>
public sealed record StateWriteResult
{
    private StateWriteResult(StateWriteOutcome outcome, StateWriteFailure failure, StatusCode? statusCode, string? errorCode, string? message)
    {
        Outcome = outcome;
        Failure = failure;
        StatusCode = statusCode;
        ErrorCode = errorCode;
        Message = message;
    }

    /// <summary>A confirmed write.</summary>
    public static StateWriteResult Written { get; } = new(StateWriteOutcome.Written, StateWriteFailure.None, Grpc.Core.StatusCode.OK, null, null);

    public StateWriteOutcome Outcome { get; }

    /// <summary>Why the write was not confirmed; <see cref="StateWriteFailure.None"/> when it was.</summary>
    public StateWriteFailure Failure { get; }

    /// <summary>The sidecar's gRPC status, null when no answer came in time.</summary>
    public StatusCode? StatusCode { get; }

    /// <summary>The <c>ErrorInfo</c> reason of the sidecar's answer (e.g. <c>ERR_STATE_SAVE</c>, <c>ERR_STATE_TRANSACTION</c>), when it sent one.</summary>
    public string? ErrorCode { get; }

    /// <summary>The sidecar's error message or the transport failure, for logs; never contains values.</summary>
    public string? Message { get; }

    /// <summary>True only when the sidecar confirmed the write.</summary>
    public bool IsWritten => Outcome == StateWriteOutcome.Written;

    internal static StateWriteResult NotConfirmed(StateWriteFailure failure, StatusCode? statusCode, string? errorCode, string? message) =>
        new(StateWriteOutcome.Unknown, failure, statusCode, errorCode, message);
}
