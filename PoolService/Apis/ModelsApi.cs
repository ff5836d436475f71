using Gateway.PoolService.Services;
using Gateway.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.PoolService.Apis;

/// <summary>
/// <c>GET /models</c>: the model names a lease can be asked for. Reached through Dapr invocation
/// like <c>/leases</c> (ProxyService answers OpenAI's <c>GET /v1/models</c> with it), so it is
/// internal, behind <c>APP_API_TOKEN</c> when set and not behind the admin token.
/// </summary>
internal static class ModelsApi
{
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/models", ListAsync).AnswerStoreUnavailableWith(PoolProblems.StoreUnavailable);
        return app;
    }

    /// <summary>200 with the models; 503 <c>store-unavailable</c> when the registry cannot be read.</summary>
    public static async Task<Ok<ModelsView>> ListAsync(BackendRegistry registry, CancellationToken cancellationToken) =>
        TypedResults.Ok(ModelsView.From(await registry.GetAsync(cancellationToken)));
}

/// <summary>
/// <c>GET /models</c>: one entry per canonical model and per alias, sorted by id (ordinal). Built
/// from the same <see cref="RegistryView"/> as the lease, so it lists exactly the names for which
/// <c>POST /leases</c> does not answer 404 <c>unknown-model</c>: a model counts as served as long
/// as some backend lists it, whether that backend is enabled, healthy or cooling down (the lease
/// then answers 503, not 404); an alias whose model no backend serves any more is left out (the
/// lease answers 404 for it). Names only: no backend ids, base URLs, upstream names or keys.
/// </summary>
internal sealed record ModelsView(IReadOnlyList<ModelView> Models)
{
    public static ModelsView From(RegistryView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new ModelsView([.. view.KnownModels.Select(id =>
        {
            var canonical = view.ResolveModel(id) ?? throw new InvalidOperationException($"The known model '{id}' does not resolve.");
            return new ModelView(
                id,
                canonical == id ? null : canonical,
                [.. view.PoolsServing(canonical).Select(p => p.Pool.Name)]);
        })]);
    }
}

/// <summary>
/// One model name. <c>aliasOf</c>: the canonical model an alias stands for, null (written
/// explicitly) for a canonical model. <c>pools</c>: the pools, in walk order (primary first), with
/// at least one backend serving the (canonical) model.
/// </summary>
internal sealed record ModelView(string Id, string? AliasOf, IReadOnlyList<string> Pools);
