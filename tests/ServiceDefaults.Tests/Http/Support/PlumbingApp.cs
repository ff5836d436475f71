using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Gateway.ServiceDefaults.Http;
using Gateway.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Gateway.ServiceDefaults.Tests.Http.Support;

/// <summary>A body with an amount (an integer by <see cref="WholeAmountConverter"/>), a note and a nested line.</summary>
public sealed record Order([property: JsonConverter(typeof(WholeAmountConverter))] long? Amount, string? Note, OrderLine? Line);

public sealed record OrderLine(string? Sku);

/// <summary>An amount read only from a JSON integer; anything else breaks the field's rule.</summary>
public sealed class WholeAmountConverter : JsonConverter<long?>
{
    public const string Rule = "must be a JSON integer";

    public override long? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : throw new JsonValueRuleException(Rule);

    public override void Write(Utf8JsonWriter writer, long? value, JsonSerializerOptions options) => throw new NotSupportedException();
}

/// <summary>What a JSON endpoint answers: the value read, or the refusal (422, so that it cannot be mistaken for a framework 400).</summary>
public sealed record ReadAnswer(string? Reason, string? Field, string? Message, long? Amount, string? Note, int? Properties);

/// <summary>
/// A real Kestrel app on a free loopback port serving the shared HTTP pieces on test endpoints,
/// with its log records collected.
/// </summary>
public sealed class PlumbingApp : IAsyncLifetime
{
    /// <summary>The <see cref="JsonBodyOptions.MaxBytes"/> of the order endpoints.</summary>
    public const int MaxBytes = 256;

    /// <summary>The server's own body limit on <c>/json/server-limit</c>, below <see cref="MaxBytes"/>.</summary>
    public const int ServerLimit = 100;

    public const string Token = "s3cret-token-value";
    public const string UnauthorizedType = "urn:test:problem:unauthorized";
    public const string StoreUnavailableType = "urn:test:problem:store-unavailable";

    /// <summary>Put in request bodies and exception messages: an answer containing it echoed them.</summary>
    public const string Secret = "zq_secret";

    private WebApplication _app = null!;

    public int Port { get; private set; }

    public HttpClient Client { get; private set; } = null!;

    public FakeLogCollector Logs => _app.Services.GetFakeLogCollector();

    /// <summary>How many times a bearer-guarded handler ran.</summary>
    public int GuardedCalls => _guardedCalls;

    private int _guardedCalls;

    /// <summary>By request id (<c>?id=</c>): whether a store endpoint's failure escaped the store filter.</summary>
    public ConcurrentDictionary<string, TaskCompletionSource<bool>> Escaped { get; } = new();

    public async Task InitializeAsync()
    {
        Port = FreePort.Next();
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddFakeLogging();
        builder.Services.AddProblemDetails();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, Port));
        _app = builder.Build();
        MapJson(_app);
        MapBearer(_app);
        MapStore(_app);
        await _app.StartAsync();
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{Port}") };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await _app.DisposeAsync();
    }

    private static void MapJson(WebApplication app)
    {
        var orders = new JsonBodyReader(new JsonBodyOptions { MaxBytes = MaxBytes });
        var objects = new JsonBodyReader(new JsonBodyOptions { MaxBytes = MaxBytes, SerializerOptions = new JsonSerializerOptions(), RequireJsonContentType = false });
        app.MapPost("/json/order", (HttpRequest request) => ReadOrderAsync(orders, request));
        app.MapPost("/json/server-limit", (HttpRequest request) =>
        {
            request.HttpContext.Features.GetRequiredFeature<IHttpMaxRequestBodySizeFeature>().MaxRequestBodySize = ServerLimit;
            return ReadOrderAsync(orders, request);
        });
        app.MapPost("/json/object", async (HttpRequest request) =>
            (await objects.ReadAsync<JsonObject>(request, request.HttpContext.RequestAborted)).TryGetValue(out var json, out var refusal)
                ? Results.Ok(new ReadAnswer(null, null, null, null, null, json.Count))
                : Refused(refusal));
    }

    private static async Task<IResult> ReadOrderAsync(JsonBodyReader reader, HttpRequest request) =>
        (await reader.ReadAsync<Order>(request, request.HttpContext.RequestAborted)).TryGetValue(out var order, out var refusal)
            ? Results.Ok(new ReadAnswer(null, null, null, order.Amount, order.Note, null))
            : Refused(refusal);

    private static IResult Refused(JsonBodyRefusal refusal) =>
        Results.Json(new ReadAnswer(refusal.Reason.ToString(), refusal.Field, refusal.Message, null, null, null), statusCode: StatusCodes.Status422UnprocessableEntity);

    private void MapBearer(WebApplication app)
    {
        static IResult Unauthorized() => ProblemResults.Problem(StatusCodes.Status401Unauthorized, UnauthorizedType, "unauthorized", "Unauthorized", "Send the token.");
        Task<string> Guarded(HttpRequest request)
        {
            Interlocked.Increment(ref _guardedCalls);
            return new StreamReader(request.Body).ReadToEndAsync();
        }

        app.MapPost("/bearer/on", Guarded).RequireBearerToken(_ => Token, Unauthorized);
        app.MapPost("/bearer/padded", Guarded).RequireBearerToken(_ => " \t" + Token + " ", Unauthorized);
        app.MapGroup("/bearer/group").RequireBearerToken(_ => Token, Unauthorized).MapPost("/", Guarded);
        foreach (var (name, token) in new[] { ("null", (string?)null), ("empty", ""), ("blank", " \t ") })
        {
            app.MapPost("/bearer/off-" + name, Guarded).RequireBearerToken(_ => token, Unauthorized);
        }
    }

    private void MapStore(WebApplication app)
    {
        static IResult Unavailable() => ProblemResults.Problem(StatusCodes.Status503ServiceUnavailable, StoreUnavailableType, "store_unavailable", "Store unavailable", "Retry.");
        var store = app.MapGroup("/store").AddEndpointFilter(async (invocation, next) =>
        {
            // Outside the store filter: records whether a failure got past it.
            var id = invocation.HttpContext.Request.Query["id"].ToString();
            var escaped = Escaped.GetOrAdd(id, _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
            try
            {
                var result = await next(invocation);
                escaped.TrySetResult(false);
                return result;
            }
            catch (Exception)
            {
                escaped.TrySetResult(true);
                throw;
            }
        }).AnswerStoreUnavailableWith(Unavailable);
        store.MapGet("/ok", () => "ok");
        store.MapGet("/dapr", string () => throw new global::Dapr.DaprException(Secret + " the sidecar said no"));
        store.MapGet("/dapr-api", string () => throw new global::Dapr.DaprApiException(Secret + " the sidecar said no", "ERR_STATE_GET", isTransient: false));
        store.MapGet("/other", string () => throw new InvalidOperationException(Secret + " a bug"));
        store.MapGet("/aborted", async Task<string> (HttpContext context) =>
        {
            // Kestrel cancels RequestAborted on the thread pool after Abort: wait for it, as a
            // store call cancelled by a client that left would have.
            var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (context.RequestAborted.Register(() => aborted.TrySetResult()))
            {
                context.Abort();
                await aborted.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }

            throw new global::Dapr.DaprException(Secret + " the sidecar said no");
        });
    }
}
