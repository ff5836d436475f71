using Gateway.PoolService.Infrastructure;
using Gateway.PoolService.Model;
using Gateway.PoolService.Services;
using Gateway.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Gateway.PoolService.Apis;

/// <summary>
/// <c>/admin/backends</c>, <c>/admin/pools</c>, <c>/admin/aliases</c>: the registry, read and
/// edited with <c>Authorization: Bearer {Pool:AdminToken}</c>. Without a configured token these
/// routes do not exist (404), so the admin API is off rather than open. Writes are full
/// replacements (PUT) checked before anything is stored; an invalid body stores nothing.
/// </summary>
internal static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.ServiceProvider.GetRequiredService<IOptions<PoolOptions>>().Value.AdminEnabled)
        {
            return app;
        }

        var admin = app.MapGroup("/admin")
            .RequireBearerToken(services => services.GetRequiredService<IOptions<PoolOptions>>().Value.AdminToken, PoolProblems.AdminUnauthorized)
            .AnswerStoreUnavailableWith(PoolProblems.StoreUnavailable);
        admin.MapGet("/backends", ListBackendsAsync);
        admin.MapGet("/backends/{id}", GetBackendAsync);
        admin.MapPut("/backends/{id}", PutBackendAsync);
        admin.MapDelete("/backends/{id}", DeleteBackendAsync);
        admin.MapGet("/pools", ListPoolsAsync);
        admin.MapGet("/pools/{name}", GetPoolAsync);
        admin.MapPut("/pools/{name}", PutPoolAsync);
        admin.MapDelete("/pools/{name}", DeletePoolAsync);
        admin.MapGet("/aliases", ListAliasesAsync);
        admin.MapPut("/aliases/{**alias}", PutAliasAsync);
        admin.MapDelete("/aliases/{**alias}", DeleteAliasAsync);
        return app;
    }

    /// <summary>200 with every backend, keys masked, by id.</summary>
    public static async Task<Ok<List<BackendView>>> ListBackendsAsync(BackendRegistry registry, ApiKeyCipher cipher, CancellationToken cancellationToken)
    {
        var view = await registry.GetAsync(cancellationToken);
        return TypedResults.Ok(view.Document.Backends.Values.OrderBy(b => b.Id, StringComparer.Ordinal).Select(b => BackendView.From(b, cipher)).ToList());
    }

    /// <summary>200 with the backend, key masked; 404.</summary>
    public static async Task<Results<Ok<BackendView>, ProblemHttpResult>> GetBackendAsync(string id, BackendRegistry registry, ApiKeyCipher cipher, CancellationToken cancellationToken)
    {
        var view = await registry.GetAsync(cancellationToken);
        return view.Backend(id) is { } backend
            ? TypedResults.Ok(BackendView.From(backend, cipher))
            : PoolProblems.NotFound($"Backend '{id}'");
    }

    /// <summary>
    /// Creates (201) or replaces (200) a backend; its key is sealed before it is stored. 400 when the
    /// body is invalid or its pool does not exist (nothing stored); 503 contention.
    /// </summary>
    public static async Task<Results<Created<BackendView>, Ok<BackendView>, ValidationProblem, ProblemHttpResult>> PutBackendAsync(
        string id,
        HttpContext context,
        JsonBodyReader bodies,
        BackendRegistry registry,
        ApiKeyCipher cipher,
        ILogger<BackendSettings> logger)
    {
        ArgumentNullException.ThrowIfNull(context);
        var read = await bodies.ReadAsync<BackendSettings>(context.Request, context.RequestAborted);
        if (!read.TryGetValue(out var body, out var refusal))
        {
            return PoolProblems.Invalid(refusal.ToErrors());
        }

        if (!RegistryRules.TryBackend(id, body, out var draft, out var errors))
        {
            return PoolProblems.Invalid(errors);
        }

        var edit = await registry.EditAsync((document, now) => RegistryEdits.PutBackend(document, draft, cipher, now), context.RequestAborted);
        PoolLog.AdminEdit(logger, "put", "backend", id, edit.Status.ToString());
        return edit.Status switch
        {
            EditStatus.Created => TypedResults.Created($"/admin/backends/{id}", BackendView.From(edit.Document.Backends[id], cipher)),
            EditStatus.Updated or EditStatus.Unchanged => TypedResults.Ok(BackendView.From(edit.Document.Backends[id], cipher)),
            EditStatus.Invalid => PoolProblems.Invalid(edit.Errors!),
            _ => Problem(context, edit),
        };
    }

    /// <summary>204; 404.</summary>
    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteBackendAsync(
        string id,
        HttpContext context,
        BackendRegistry registry,
        PoolTelemetry telemetry,
        ILogger<BackendSettings> logger)
    {
        ArgumentNullException.ThrowIfNull(context);
        var edit = await registry.EditAsync((document, _) => RegistryEdits.DeleteBackend(document, id), context.RequestAborted);
        PoolLog.AdminEdit(logger, "delete", "backend", id, edit.Status.ToString());
        if (edit.Status == EditStatus.Deleted)
        {
            telemetry.Forget(id);
            return TypedResults.NoContent();
        }

        return edit.Status == EditStatus.NotFound ? PoolProblems.NotFound($"Backend '{id}'") : Problem(context, edit);
    }

    /// <summary>200 with every pool in walk order, with its backends.</summary>
    public static async Task<Ok<List<PoolView>>> ListPoolsAsync(BackendRegistry registry, CancellationToken cancellationToken)
    {
        var view = await registry.GetAsync(cancellationToken);
        return TypedResults.Ok(view.Pools.Select(p => PoolView.From(p, view.Document)).ToList());
    }

    /// <summary>200 with the pool; 404.</summary>
    public static async Task<Results<Ok<PoolView>, ProblemHttpResult>> GetPoolAsync(string name, BackendRegistry registry, CancellationToken cancellationToken)
    {
        var view = await registry.GetAsync(cancellationToken);
        return view.Document.Pools.TryGetValue(name, out var pool)
            ? TypedResults.Ok(PoolView.From(pool, view.Document))
            : PoolProblems.NotFound($"Pool '{name}'");
    }

    /// <summary>Creates (201) or replaces (200) a pool: <c>{"order": n}</c>, lowest walked first. 400 invalid.</summary>
    public static async Task<Results<Created<PoolView>, Ok<PoolView>, ValidationProblem, ProblemHttpResult>> PutPoolAsync(
        string name,
        HttpContext context,
        JsonBodyReader bodies,
        BackendRegistry registry,
        ILogger<BackendSettings> logger)
    {
        ArgumentNullException.ThrowIfNull(context);
        var read = await bodies.ReadAsync<PoolSettings>(context.Request, context.RequestAborted);
        if (!read.TryGetValue(out var body, out var refusal))
        {
            return PoolProblems.Invalid(refusal.ToErrors());
        }

        if (body.Name is not null && body.Name != name)
        {
            return PoolProblems.Invalid("name", "must match the name in the path when given in the body");
        }

        if (!RegistryRules.TryPool(name, body.Order, out var pool, out var errors))
        {
            return PoolProblems.Invalid(errors);
        }

        var edit = await registry.EditAsync((document, now) => RegistryEdits.PutPool(document, pool, now), context.RequestAborted);
        PoolLog.AdminEdit(logger, "put", "pool", name, edit.Status.ToString());
        return edit.Status switch
        {
            EditStatus.Created => TypedResults.Created($"/admin/pools/{name}", PoolView.From(edit.Document.Pools[name], edit.Document)),
            EditStatus.Updated or EditStatus.Unchanged => TypedResults.Ok(PoolView.From(edit.Document.Pools[name], edit.Document)),
            EditStatus.Invalid => PoolProblems.Invalid(edit.Errors!),
            _ => Problem(context, edit),
        };
    }

    /// <summary>204; 404; 409 while backends still belong to it.</summary>
    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeletePoolAsync(
        string name,
        HttpContext context,
        BackendRegistry registry,
        ILogger<BackendSettings> logger)
    {
        ArgumentNullException.ThrowIfNull(context);
        var edit = await registry.EditAsync((document, _) => RegistryEdits.DeletePool(document, name), context.RequestAborted);
        PoolLog.AdminEdit(logger, "delete", "pool", name, edit.Status.ToString());
        return edit.Status switch
        {
            EditStatus.Deleted => TypedResults.NoContent(),
            EditStatus.NotFound => PoolProblems.NotFound($"Pool '{name}'"),
            EditStatus.Invalid => PoolProblems.Invalid(edit.Errors!),
            _ => Problem(context, edit),
        };
    }

    /// <summary>200 with every alias, by name.</summary>
    public static async Task<Ok<List<AliasView>>> ListAliasesAsync(BackendRegistry registry, CancellationToken cancellationToken)
    {
        var view = await registry.GetAsync(cancellationToken);
        return TypedResults.Ok(view.Document.Aliases.Values.OrderBy(a => a.Alias, StringComparer.Ordinal).Select(AliasView.From).ToList());
    }

    /// <summary>Creates (201) or replaces (200) an alias: <c>{"model": "canonical"}</c>. 400 when the model is not served or the alias is itself a served model.</summary>
    public static async Task<Results<Created<AliasView>, Ok<AliasView>, ValidationProblem, ProblemHttpResult>> PutAliasAsync(
        string alias,
        HttpContext context,
        JsonBodyReader bodies,
        BackendRegistry registry,
        ILogger<BackendSettings> logger)
    {
        ArgumentNullException.ThrowIfNull(context);
        var read = await bodies.ReadAsync<AliasSettings>(context.Request, context.RequestAborted);
        if (!read.TryGetValue(out var body, out var refusal))
        {
            return PoolProblems.Invalid(refusal.ToErrors());
        }

        if (!RegistryRules.TryAlias(alias, body.Model, out var record, out var errors))
        {
            return PoolProblems.Invalid(errors);
        }

        var edit = await registry.EditAsync((document, now) => RegistryEdits.PutAlias(document, record, now), context.RequestAborted);
        PoolLog.AdminEdit(logger, "put", "alias", alias, edit.Status.ToString());
        return edit.Status switch
        {
            EditStatus.Created => TypedResults.Created($"/admin/aliases/{Uri.EscapeDataString(alias)}", AliasView.From(edit.Document.Aliases[alias])),
            EditStatus.Updated or EditStatus.Unchanged => TypedResults.Ok(AliasView.From(edit.Document.Aliases[alias])),
            EditStatus.Invalid => PoolProblems.Invalid(edit.Errors!),
            _ => Problem(context, edit),
        };
    }

    /// <summary>204; 404.</summary>
    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAliasAsync(
        string alias,
        HttpContext context,
        BackendRegistry registry,
        ILogger<BackendSettings> logger)
    {
        ArgumentNullException.ThrowIfNull(context);
        var edit = await registry.EditAsync((document, _) => RegistryEdits.DeleteAlias(document, alias), context.RequestAborted);
        PoolLog.AdminEdit(logger, "delete", "alias", alias, edit.Status.ToString());
        return edit.Status switch
        {
            EditStatus.Deleted => TypedResults.NoContent(),
            EditStatus.NotFound => PoolProblems.NotFound($"Alias '{alias}'"),
            EditStatus.Invalid => PoolProblems.Invalid(edit.Errors!),
            _ => Problem(context, edit),
        };
    }

    /// <summary>The answer for an edit that stored nothing and is not invalid: conflict or contention.</summary>
    private static ProblemHttpResult Problem(HttpContext context, RegistryEdit edit)
    {
        if (edit.Status == EditStatus.Conflict)
        {
            return PoolProblems.RegistryConflict(edit.Detail ?? "The edit contradicts the registry.");
        }

        context.Response.Headers.RetryAfter = "1";
        return PoolProblems.Contention();
    }
}
