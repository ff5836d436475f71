namespace Gateway.LocalSidecar.State;

/// <summary>
/// Why daprd's runtime refused or failed a state request. Each transport maps every case to its own
/// status and body (HTTP: <c>Api/DaprError</c>; gRPC: <c>Grpc/GrpcErrors</c>), so both refuse the
/// same requests for the same reasons.
/// </summary>
internal abstract record StateFailure
{
    private StateFailure()
    {
    }

    /// <summary>The sidecar loaded no state store at all.</summary>
    public sealed record StoreNotConfigured(string Store) : StateFailure;

    /// <summary>No state store of that name.</summary>
    public sealed record StoreNotFound(string Store) : StateFailure;

    /// <summary>The key contains daprd's separator <c>||</c>.</summary>
    public sealed record IllegalKey(string Store, string Key) : StateFailure
    {
        public string Message => $"input key/keyPrefix '{Key}' can't contain '||'";
    }

    /// <summary>An item of a save has no key.</summary>
    public sealed record MissingKey : StateFailure;

    /// <summary>A transaction step whose operation is neither <c>upsert</c> nor <c>delete</c>.</summary>
    public sealed record UnsupportedOperation(string Operation) : StateFailure
    {
        public string Message => $"operation type {Operation} not supported";
    }

    /// <summary>
    /// The store refused or failed the request. <paramref name="ErrorCode"/> names the call
    /// (<c>ERR_STATE_SAVE</c>, ...), <paramref name="Message"/> is daprd's whole message.
    /// </summary>
    public sealed record StoreFailed(string ErrorCode, StoreFailureKind Kind, string Message) : StateFailure;
}

internal enum StoreFailureKind
{
    /// <summary>An ETag did not match (daprd: 409, <c>Aborted</c>).</summary>
    ETagMismatch,

    /// <summary>An ETag is not of the store's format (daprd: 400, <c>InvalidArgument</c>).</summary>
    ETagInvalid,

    /// <summary>Anything else, and every failed transaction (daprd: 500, <c>Internal</c>).</summary>
    Failed,
}

/// <summary>A state call's answer: its value, or why it failed.</summary>
internal abstract record StateResult<T>
{
    private StateResult()
    {
    }

    public sealed record Ok(T Value) : StateResult<T>;

    public sealed record Failed(StateFailure Failure) : StateResult<T>;

    public static implicit operator StateResult<T>(StateFailure failure) => new Failed(failure);
}
