using System.Text.Json;
using Gateway.LocalSidecar.Hosting;
using Gateway.LocalSidecar.State;

namespace Gateway.LocalSidecar.Api;

/// <summary>
/// The state API of DAPR-HTTP.md section 1, answering as daprd's HTTP handlers do: it decodes the
/// request, hands it to <see cref="StateRuntime"/> (shared with the gRPC API) and encodes the answer.
/// </summary>
internal static class StateApi
{
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

    private static async Task GetAsync(HttpContext context, string storeName, string key, StateRuntime state, SidecarOptions sidecar)
    {
        switch (await state.GetAsync(storeName, key, context.RequestAborted).ConfigureAwait(false))
        {
            case StateResult<StateItem?>.Failed { Failure: var failure }:
                await DaprError.From(failure, sidecar.AppId).WriteAsync(context).ConfigureAwait(false);
                return;
            case StateResult<StateItem?>.Ok { Value: null }:
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            case StateResult<StateItem?>.Ok { Value: { } item }:
                context.Response.Headers.ETag = item.ETag;
                foreach (var (name, value) in StateRuntime.ItemMetadata(item))
                {
                    context.Response.Headers["metadata." + name] = value;
                }

                context.Response.ContentType = "application/json";
                await context.Response.Body.WriteAsync(item.Value, context.RequestAborted).ConfigureAwait(false);
                return;
        }
    }

    private static async Task BulkGetAsync(HttpContext context, string storeName, StateRuntime state, SidecarOptions sidecar)
    {
        // daprd resolves the store before it reads the body.
        if (state.CheckStore(storeName) is { } refusal)
        {
            await DaprError.From(refusal, sidecar.AppId).WriteAsync(context).ConfigureAwait(false);
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

        var result = await state.BulkGetAsync(storeName, keys, parallelism, context.RequestAborted).ConfigureAwait(false);
        if (result is StateResult<IReadOnlyList<BulkStateEntry>>.Failed { Failure: var failure })
        {
            await DaprError.From(failure, sidecar.AppId).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/json";
        await using (var json = new Utf8JsonWriter(context.Response.BodyWriter, new JsonWriterOptions { Encoder = DaprError.GoJsonOptions.Encoder }))
        {
            json.WriteStartArray();
            foreach (var entry in ((StateResult<IReadOnlyList<BulkStateEntry>>.Ok)result).Value)
            {
                json.WriteStartObject();
                json.WriteString("key", entry.Key);
                if (entry.Item is { } item)
                {
                    // The stored bytes are already encoded as daprd would send them.
                    json.WritePropertyName("data");
                    json.WriteRawValue(item.Value, skipInputValidation: true);
                    json.WriteString("etag", item.ETag);
                    var metadata = StateRuntime.ItemMetadata(item);
                    if (metadata.Count > 0)
                    {
                        json.WriteStartObject("metadata");
                        foreach (var (name, value) in metadata)
                        {
                            json.WriteString(name, value);
                        }

                        json.WriteEndObject();
                    }
                }
                else if (entry.Error is { } error)
                {
                    json.WriteString("error", error);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        await context.Response.BodyWriter.WriteAsync("\n"u8.ToArray(), context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task SaveAsync(HttpContext context, string storeName, StateRuntime state, SidecarOptions sidecar)
    {
        if (state.CheckStore(storeName) is { } refusal)
        {
            await DaprError.From(refusal, sidecar.AppId).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        List<StateEntry> items;
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

        var queryMetadata = StateRequests.QueryMetadata(context.Request);
        if (queryMetadata.Count > 0)
        {
            items = [.. items.Select(item => item with { Metadata = StateRequests.Merge(item.Metadata, queryMetadata) })];
        }

        await RespondAsync(context, await state.SaveAsync(storeName, items, context.RequestAborted).ConfigureAwait(false), sidecar).ConfigureAwait(false);
    }

    private static async Task DeleteAsync(HttpContext context, string storeName, string key, StateRuntime state, SidecarOptions sidecar)
    {
        var etag = context.Request.Headers.IfMatch.ToString();
        var entry = StateEntry.ForKey(
            key,
            etag.Length == 0 ? null : etag,
            context.Request.Query["concurrency"].ToString(),
            context.Request.Query["consistency"].ToString());
        await RespondAsync(context, await state.DeleteAsync(storeName, entry, context.RequestAborted).ConfigureAwait(false), sidecar).ConfigureAwait(false);
    }

    private static async Task TransactAsync(HttpContext context, string storeName, StateRuntime state, SidecarOptions sidecar)
    {
        if (state.CheckStore(storeName) is { } refusal)
        {
            await DaprError.From(refusal, sidecar.AppId).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        List<TransactionStep> steps = [];
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
                    steps.Add(new TransactionStep(kind, request));
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

        // daprd's HTTP handler copies the request's metadata (body and query) onto every operation.
        foreach (var (name, value) in StateRequests.QueryMetadata(context.Request))
        {
            metadata[name] = value;
        }

        if (metadata.Count > 0)
        {
            steps = [.. steps.Select(step => step with { Request = step.Request with { Metadata = StateRequests.Merge(step.Request.Metadata, metadata) } })];
        }

        await RespondAsync(context, await state.TransactAsync(storeName, steps, context.RequestAborted).ConfigureAwait(false), sidecar).ConfigureAwait(false);
    }

    private static Task RespondAsync(HttpContext context, StateFailure? failure, SidecarOptions sidecar)
    {
        if (failure is not null)
        {
            return DaprError.From(failure, sidecar.AppId).WriteAsync(context);
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }
}
