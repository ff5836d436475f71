using System.Globalization;
using System.Text.Json;
using Gateway.LocalSidecar.Hosting;
using Gateway.LocalSidecar.State;

namespace Gateway.LocalSidecar.Api;

/// <summary>The state API of DAPR-HTTP.md section 1, answering as daprd's HTTP handlers do.</summary>
internal static class StateApi
{
    private const string MismatchMessage = "possible etag mismatch. error from state store";
    private const string InvalidMessage = "invalid etag value";

    public static IEndpointRouteBuilder MapStateApi(this IEndpointRouteBuilder routes)
    {
        var state = routes.MapGroup("/v1.0/state/{storeName}");
        state.MapPost("/bulk", BulkGetAsync);
        state.MapPost("/transaction", TransactAsync);
        state.MapGet("/{key}", GetAsync);
        state.MapDelete("/{key}", DeleteAsync);
        state.MapPost("", SaveAsync);
        return routes;
    }

    private static async Task GetAsync(HttpContext context, string storeName, string key, StateStoreCatalog stores, SidecarOptions sidecar)
    {
        if (!TryResolve(stores, storeName, sidecar, out var store, out var notFound))
        {
            await notFound.WriteAsync(context).ConfigureAwait(false);
            return;
        }

        var storedKey = store.StoredKey(key, sidecar);
        if (storedKey is null)
        {
            await DaprError.IllegalKey(storeName, key).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        StateItem? item;
        try
        {
            item = await store.Store.GetAsync(storedKey, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await new DaprError(500, "ERR_STATE_GET", $"fail to get {key} from state store {storeName}: {e.Message}").WriteAsync(context).ConfigureAwait(false);
            return;
        }

        if (item is null)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        context.Response.Headers.ETag = item.ETag;
        if (item.ExpiresAt is { } expires)
        {
            context.Response.Headers["metadata.ttlExpireTime"] = FormatExpiry(expires);
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(item.Value, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task BulkGetAsync(HttpContext context, string storeName, StateStoreCatalog stores, SidecarOptions sidecar)
    {
        if (!TryResolve(stores, storeName, sidecar, out var store, out var notFound))
        {
            await notFound.WriteAsync(context).ConfigureAwait(false);
            return;
        }

        List<string> keys = [];
        var parallelism = 0;
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, StateRequests.DocumentOptions, context.RequestAborted).ConfigureAwait(false);
            if (body.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException("json: cannot unmarshal into Go value of type http.BulkGetRequest");
            }

            if (body.RootElement.TryGetProperty("keys", out var keyArray) && keyArray.ValueKind == JsonValueKind.Array)
            {
                keys = [.. keyArray.EnumerateArray().Select(k => k.GetString() ?? throw new JsonException("json: cannot unmarshal into Go struct field BulkGetRequest.keys of type string"))];
            }

            if (body.RootElement.TryGetProperty("parallelism", out var p) && p.ValueKind == JsonValueKind.Number)
            {
                parallelism = p.GetInt32();
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            await DaprError.MalformedRequest(e).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        var storedKeys = new string[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            if (store.StoredKey(keys[i], sidecar) is not { } storedKey)
            {
                await DaprError.IllegalKey(storeName, keys[i]).WriteAsync(context).ConfigureAwait(false);
                return;
            }

            storedKeys[i] = storedKey;
        }

        var results = new (StateItem? Item, string? Error)[keys.Count];
        await Parallel.ForAsync(
            0,
            keys.Count,
            new ParallelOptions { MaxDegreeOfParallelism = parallelism > 0 ? parallelism : 10, CancellationToken = context.RequestAborted },
            async (i, ct) =>
            {
                try
                {
                    results[i] = (await store.Store.GetAsync(storedKeys[i], ct).ConfigureAwait(false), null);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    results[i] = (null, e.Message);
                }
            }).ConfigureAwait(false);

        context.Response.ContentType = "application/json";
        await using (var json = new Utf8JsonWriter(context.Response.BodyWriter, new JsonWriterOptions { Encoder = DaprError.GoJsonOptions.Encoder }))
        {
            json.WriteStartArray();
            for (var i = 0; i < results.Length; i++)
            {
                json.WriteStartObject();
                json.WriteString("key", StateKeyPrefix.Original(storedKeys[i]));
                if (results[i].Item is { } item)
                {
                    // The stored bytes are already encoded as daprd would send them.
                    json.WritePropertyName("data");
                    json.WriteRawValue(item.Value, skipInputValidation: true);
                    json.WriteString("etag", item.ETag);
                    if (item.ExpiresAt is { } expires)
                    {
                        json.WriteStartObject("metadata");
                        json.WriteString("ttlExpireTime", FormatExpiry(expires));
                        json.WriteEndObject();
                    }
                }
                else if (results[i].Error is { } error)
                {
                    json.WriteString("error", error);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        await context.Response.BodyWriter.WriteAsync("\n"u8.ToArray(), context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task SaveAsync(HttpContext context, string storeName, StateStoreCatalog stores, SidecarOptions sidecar)
    {
        if (!TryResolve(stores, storeName, sidecar, out var store, out var notFound))
        {
            await notFound.WriteAsync(context).ConfigureAwait(false);
            return;
        }

        List<StateRequests.Item> items;
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, StateRequests.DocumentOptions, context.RequestAborted).ConfigureAwait(false);
            if (body.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new JsonException("json: cannot unmarshal object into Go value of type []state.SetRequest");
            }

            items = [.. body.RootElement.EnumerateArray().Select(StateRequests.ReadItem)];
        }
        catch (JsonException e)
        {
            await new DaprError(400, "ERR_MALFORMED_REQUEST", e.Message).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        if (items.Count == 0)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        var queryMetadata = StateRequests.QueryMetadata(context.Request);
        var operations = new List<SetOperation>(items.Count);
        var errors = new List<(StoreResult? Result, string Message)>();
        foreach (var item in items)
        {
            if (item.Key.Length == 0)
            {
                await new DaprError(400, "ERR_MALFORMED_REQUEST", "\"key\" is a required field").WriteAsync(context).ConfigureAwait(false);
                return;
            }

            if (store.StoredKey(item.Key, sidecar) is not { } storedKey)
            {
                await DaprError.IllegalKey(storeName, item.Key).WriteAsync(context).ConfigureAwait(false);
                return;
            }

            foreach (var (name, value) in queryMetadata)
            {
                item.Metadata[name] = value;
            }

            var (ttl, ttlError) = StateRequests.ReadTtl(item.Metadata);
            var optionsError = StateRequests.ValidateOptions(item.Concurrency, item.Consistency) ?? ttlError;
            if (optionsError is not null)
            {
                errors.Add((null, optionsError));
                continue;
            }

            operations.Add(new SetOperation(storedKey, item.Value, item.ETag, StateRequests.ToConcurrency(item.Concurrency), ttl));
        }

        // daprd writes the items of a multi-item save one by one (not atomically) and reports the
        // first ETag error among the failures, else the first failure.
        foreach (var operation in operations)
        {
            try
            {
                var result = await store.Store.SetAsync(operation, context.RequestAborted).ConfigureAwait(false);
                if (result != StoreResult.Ok)
                {
                    errors.Add((result, EtagMessage(result)));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                errors.Add((null, e.Message));
            }
        }

        if (errors.Count > 0)
        {
            var (status, message) = ErrorStatus(errors);
            await new DaprError(status, "ERR_STATE_SAVE", $"failed saving state in state store {storeName}: {message}").WriteAsync(context).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task DeleteAsync(HttpContext context, string storeName, string key, StateStoreCatalog stores, SidecarOptions sidecar)
    {
        if (!TryResolve(stores, storeName, sidecar, out var store, out var notFound))
        {
            await notFound.WriteAsync(context).ConfigureAwait(false);
            return;
        }

        if (store.StoredKey(key, sidecar) is not { } storedKey)
        {
            await DaprError.IllegalKey(storeName, key).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        var concurrency = context.Request.Query["concurrency"].ToString();
        var consistency = context.Request.Query["consistency"].ToString();
        var etag = context.Request.Headers.IfMatch.ToString();
        (StoreResult? Result, string Message)? error = null;
        if (StateRequests.ValidateOptions(concurrency, consistency) is { } optionsError)
        {
            error = (null, optionsError);
        }
        else
        {
            try
            {
                var operation = new DeleteOperation(storedKey, etag.Length == 0 ? null : etag, StateRequests.ToConcurrency(concurrency));
                var result = await store.Store.DeleteAsync(operation, context.RequestAborted).ConfigureAwait(false);
                if (result != StoreResult.Ok)
                {
                    error = (result, EtagMessage(result));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = (null, e.Message);
            }
        }

        if (error is { } failure)
        {
            var (status, message) = ErrorStatus([failure]);
            await new DaprError(status, "ERR_STATE_DELETE", $"failed deleting state with key {key}: {message}").WriteAsync(context).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task TransactAsync(HttpContext context, string storeName, StateStoreCatalog stores, SidecarOptions sidecar)
    {
        if (!TryResolve(stores, storeName, sidecar, out var store, out var notFound))
        {
            await notFound.WriteAsync(context).ConfigureAwait(false);
            return;
        }

        List<(string Operation, StateRequests.Item Request)> requested = [];
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, StateRequests.DocumentOptions, context.RequestAborted).ConfigureAwait(false);
            var root = body.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException("json: cannot unmarshal into Go value of type http.stateTransactionRequestBody");
            }

            if (root.TryGetProperty("operations", out var operations) && operations.ValueKind == JsonValueKind.Array)
            {
                foreach (var operation in operations.EnumerateArray())
                {
                    var kind = operation.TryGetProperty("operation", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString()! : "";
                    var request = operation.TryGetProperty("request", out var r) ? StateRequests.ReadItem(r) : StateRequests.ReadItem(JsonDocument.Parse("{}").RootElement);
                    requested.Add((kind, request));
                }
            }

            if (root.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in meta.EnumerateObject())
                {
                    metadata[entry.Name] = entry.Value.ToString();
                }
            }
        }
        catch (JsonException e)
        {
            await DaprError.MalformedRequest(e).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        if (requested.Count == 0)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        foreach (var (name, value) in StateRequests.QueryMetadata(context.Request))
        {
            metadata[name] = value;
        }

        var batch = new List<StateOperation>(requested.Count);
        foreach (var (kind, request) in requested)
        {
            if (kind is not ("upsert" or "delete"))
            {
                await new DaprError(400, "ERR_NOT_SUPPORTED_STATE_OPERATION", $"operation type {kind} not supported").WriteAsync(context).ConfigureAwait(false);
                return;
            }

            if (store.StoredKey(request.Key, sidecar) is not { } storedKey)
            {
                await DaprError.IllegalKey(storeName, request.Key).WriteAsync(context).ConfigureAwait(false);
                return;
            }

            foreach (var (name, value) in metadata)
            {
                request.Metadata[name] = value;
            }

            var (ttl, ttlError) = StateRequests.ReadTtl(request.Metadata);
            if ((StateRequests.ValidateOptions(request.Concurrency, request.Consistency) ?? ttlError) is { } invalid)
            {
                await TransactionFailed(context, invalid).ConfigureAwait(false);
                return;
            }

            var concurrency = StateRequests.ToConcurrency(request.Concurrency);
            batch.Add(kind == "upsert"
                ? new SetOperation(storedKey, request.Value, request.ETag, concurrency, ttl)
                : new DeleteOperation(storedKey, request.ETag, concurrency));
        }

        string? failure;
        try
        {
            var result = await store.Store.TransactAsync(batch, context.RequestAborted).ConfigureAwait(false);
            failure = result == StoreResult.Ok ? null : EtagMessage(result);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            failure = e.Message;
        }

        if (failure is not null)
        {
            await TransactionFailed(context, failure).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    // Every transaction failure, an ETag mismatch included, is a 500 in daprd.
    private static Task TransactionFailed(HttpContext context, string message) =>
        new DaprError(500, "ERR_STATE_TRANSACTION", $"error while executing state transaction: {message}").WriteAsync(context);

    private static bool TryResolve(StateStoreCatalog stores, string storeName, SidecarOptions sidecar, out StateStoreComponent store, out DaprError error)
    {
        if (stores.TryGet(storeName, out store))
        {
            error = null!;
            return true;
        }

        error = stores.Count == 0 ? DaprError.StoreNotConfigured(storeName, sidecar.AppId) : DaprError.StoreNotFound(storeName, sidecar.AppId);
        return false;
    }

    private static string EtagMessage(StoreResult result) => result == StoreResult.ETagInvalid ? InvalidMessage : MismatchMessage;

    private static (int Status, string Message) ErrorStatus(IReadOnlyList<(StoreResult? Result, string Message)> errors)
    {
        foreach (var (result, message) in errors)
        {
            if (result == StoreResult.ETagMismatch)
            {
                return (StatusCodes.Status409Conflict, message);
            }

            if (result == StoreResult.ETagInvalid)
            {
                return (StatusCodes.Status400BadRequest, message);
            }
        }

        return (StatusCodes.Status500InternalServerError, string.Join('\n', errors.Select(e => e.Message)));
    }

    private static string FormatExpiry(DateTimeOffset expires) =>
        expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
