using System.Text.Json.Nodes;
using Gateway.FakeOpenAiBackend.Infrastructure;
using Gateway.FakeOpenAiBackend.Model;
using Gateway.FakeOpenAiBackend.Services;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Gateway.FakeOpenAiBackend.Apis;

/// <summary>
/// The OpenAI-compatible API under <c>/v1</c>: models, chat completions, legacy completions and
/// embeddings, whole or streamed, with OpenAI's error shapes. Any other <c>/v1</c> URL gets OpenAI's
/// "Invalid URL" 404. How to make it misbehave: FakeOpenAiBackend/README.md.
/// </summary>
internal static class OpenAiApi
{
    public static IEndpointRouteBuilder MapOpenAiApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1");
        api.MapGet("/models", ListModelsAsync);
        api.MapGet("/models/{model}", GetModelAsync);
        api.MapPost("/chat/completions", ChatCompletionsAsync);
        api.MapPost("/completions", CompletionsAsync);
        api.MapPost("/embeddings", EmbeddingsAsync);
        api.Map("/{**path}", (HttpContext context) =>
            FakeResponder.ErrorAsync(context, OpenAiError.UnknownUrl(context.Request.Method, context.Request.Path.Value ?? "")));
        return app;
    }

    private static async Task ListModelsAsync(HttpContext context, FakeResponder responder)
    {
        if (await responder.BeginAsync(context, model: null) is { } behavior)
        {
            await responder.JsonAsync(context, OpenAiWire.ModelList(responder.ListedModels), behavior);
        }
    }

    private static async Task GetModelAsync(string model, HttpContext context, FakeResponder responder)
    {
        if (await responder.BeginAsync(context, model) is { } behavior)
        {
            await responder.JsonAsync(context, OpenAiWire.Model(model), behavior);
        }
    }

    private static async Task ChatCompletionsAsync(HttpContext context, FakeResponder responder)
    {
        if (!OpenAiRequestReader.TryReadChat(Body(context), out var request, out var error))
        {
            await FakeResponder.ErrorAsync(context, error);
            return;
        }

        if (await responder.BeginAsync(context, request.Model) is not { } behavior)
        {
            return;
        }

        var answer = FakeReplies.Chat(request, FakeResponder.NewId("chatcmpl-"), responder.Now);
        await (request.Stream.Enabled
            ? responder.StreamAsync(context, OpenAiWire.ChatChunks(answer, request.Stream.IncludeUsage), behavior)
            : responder.JsonAsync(context, OpenAiWire.ChatCompletion(answer), behavior));
    }

    private static async Task CompletionsAsync(HttpContext context, FakeResponder responder)
    {
        if (!OpenAiRequestReader.TryReadCompletion(Body(context), out var request, out var error))
        {
            await FakeResponder.ErrorAsync(context, error);
            return;
        }

        if (await responder.BeginAsync(context, request.Model) is not { } behavior)
        {
            return;
        }

        var answer = FakeReplies.Completion(request, FakeResponder.NewId("cmpl-"), responder.Now);
        await (request.Stream.Enabled
            ? responder.StreamAsync(context, OpenAiWire.TextCompletionChunks(answer, request.Stream.IncludeUsage), behavior)
            : responder.JsonAsync(context, OpenAiWire.TextCompletion(answer), behavior));
    }

    private static async Task EmbeddingsAsync(HttpContext context, FakeResponder responder, IOptions<FakeOpenAiBackendOptions> options)
    {
        if (!OpenAiRequestReader.TryReadEmbedding(Body(context), out var request, out var error))
        {
            await FakeResponder.ErrorAsync(context, error);
            return;
        }

        if (await responder.BeginAsync(context, request.Model) is not { } behavior)
        {
            return;
        }

        var dimensions = request.Dimensions ?? options.Value.EmbeddingDimensions;
        var embeddings = request.Inputs.Select(input => EmbeddingVectors.For(input.Text, dimensions)).Select(vector => request.Base64
            ? JsonValue.Create(EmbeddingVectors.ToBase64(vector))
            : (JsonNode)new JsonArray([.. vector.Select(x => JsonValue.Create(x))]));
        await responder.JsonAsync(context, OpenAiWire.EmbeddingList(request.Model, embeddings, request.Inputs.Sum(i => i.Tokens)), behavior);
    }

    private static System.Text.Json.JsonElement? Body(HttpContext context) =>
        context.Features.GetRequiredFeature<ReceivedRequestFeature>().Body;
}
