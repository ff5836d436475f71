namespace Gateway.PoolService.Model;

/// <summary>
/// What a backend charges for one model, per million tokens, in whatever currency the operator
/// bills in (usage costs are reported in the same unit).
/// </summary>
internal sealed record ModelPrice(decimal InputPerMillion, decimal OutputPerMillion)
{
    private const decimal TokensPerUnit = 1_000_000m;

    /// <summary>The cost of one call that used <paramref name="promptTokens"/> and <paramref name="completionTokens"/>.</summary>
    public decimal CostOf(long promptTokens, long completionTokens) =>
        ((promptTokens * InputPerMillion) + (completionTokens * OutputPerMillion)) / TokensPerUnit;
}
