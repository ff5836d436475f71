namespace Gateway.ProxyService.Infrastructure.Forwarding;

/// <summary>Headers the gateway reads from callers or adds to its answers; never forwarded upstream.</summary>
internal static class GatewayHeaders
{
    /// <summary>Request: makes a submit idempotent (printable ASCII, at most 200 characters).</summary>
    public const string IdempotencyKey = "X-Idempotency-Key";

    /// <summary>Request: the billing account of a submit.</summary>
    public const string ThreadId = "X-Thread-Id";

    /// <summary>Response: the tracked call the answer is about.</summary>
    public const string CallId = "X-Proxy-Call-Id";

    /// <summary>Response: <c>true</c> on an answer replayed from the ledger (an idempotent replay, or a query of a finished task).</summary>
    public const string Replayed = "X-Proxy-Replayed";
}
