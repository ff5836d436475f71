namespace Gateway.ProxyService.Model;

/// <summary>
/// What the proxy answers a tracked request with: a provider's answer (fresh or replayed from
/// the ledger) or a problem, and the call it is about (null for a request no call tracks).
/// </summary>
internal sealed record ProxyAnswer(CachedResponse Response, string? CallId, bool Replayed = false)
{
    public static ProxyAnswer Problem(ProxyProblem problem, string? callId = null) => new(problem.ToCached(), callId);
}
