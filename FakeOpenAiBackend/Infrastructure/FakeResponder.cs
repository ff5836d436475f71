using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.FakeOpenAiBackend.Model;
using Gateway.FakeOpenAiBackend.Services;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Gateway.FakeOpenAiBackend.Infrastructure;

/// <summary>
/// The steps every <c>/v1</c> answer shares: pick the behaviour (header, then <c>fake-*</c> model name,
/// then the instance's), check the model, misbehave as told, and write JSON or server-sent events.
/// </summary>
internal sealed class FakeResponder(
    IOptions<FakeOpenAiBackendOptions> options,
    TimeProvider time,
    InstanceBehavior instance,
    RequestJournal journal,
    IHostApplicationLifetime lifetime,
    ILogger<FakeResponder> logger)
{
    public const string BehaviorHeader = "x-fake-behavior";

    /// <summary>How long a drop waits after the last byte it sends before it closes the connection.</summary>
    public static readonly TimeSpan CutGrace = TimeSpan.FromMilliseconds(100);

    private readonly IReadOnlyList<string> _models = options.Value.ModelList;

    public IReadOnlyList<string> ListedModels => [.. _models.Where(m => m != "*")];

    public long Now => time.GetUtcNow().ToUnixTimeSeconds();

    public static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..24];

    public static async Task ErrorAsync(HttpContext context, OpenAiError error, int? retryAfterSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        context.Response.StatusCode = error.Status;
        if (retryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        var bytes = Encoding.UTF8.GetBytes(OpenAiWire.Serialize(error.ToJson()));
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    public bool Serves(string model) => _models.Contains(model, StringComparer.Ordinal) || _models.Contains("*", StringComparer.Ordinal);

    /// <summary>
    /// Everything before the answer. Null when the request has been dealt with already (an error,
    /// a hang, a reset); otherwise the behaviour the answer itself must follow (chunk delay, drop, stall).
    /// <paramref name="model"/> is null for requests that name none (the model list).
    /// </summary>
    public async Task<FakeBehavior?> BeginAsync(HttpContext context, string? model)
    {
        ArgumentNullException.ThrowIfNull(context);
        var header = context.Request.Headers[BehaviorHeader].ToString();
        FakeBehavior? asked = null;
        if (header.Length > 0 && !FakeBehavior.TryParse(header, out asked))
        {
            await ErrorAsync(context, OpenAiError.BadBehavior(header)).ConfigureAwait(false);
            return null;
        }

        // A fake-{behavior} name is served whatever the configuration, so that any instance can be told to misbehave by name.
        var named = FakeBehavior.FromModelName(model);
        if (model is not null && named is null && !Serves(model))
        {
            await ErrorAsync(context, OpenAiError.ModelNotFound(model)).ConfigureAwait(false);
            return null;
        }

        // Taken last, so that a refused request does not use up one of the instance behaviour's times.
        var (behavior, source) = asked is not null ? (asked, $"{header} (header)")
            : named is not null ? (named, $"{model![FakeBehavior.ModelPrefix.Length..]} (model)")
            : instance.TryTake(out var set, out var text) ? (set, $"{text} (instance)")
            : (FakeBehavior.Normal, null);

        if (source is not null)
        {
            journal.NoteBehavior(context.Features.GetRequiredFeature<ReceivedRequestFeature>().Sequence, source);
            Log.Misbehaving(logger, source, context.Request.Method, context.Request.Path.Value ?? "");
        }

        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        if (behavior.Delay > TimeSpan.Zero && !await WaitAsync(behavior.Delay, ending.Token).ConfigureAwait(false))
        {
            return null;
        }

        switch (behavior.Fault)
        {
            case Fault.Error:
                var retryAfter = behavior.RetryAfterSeconds ?? (behavior.Status == StatusCodes.Status429TooManyRequests ? options.Value.RetryAfterSeconds : null);
                await ErrorAsync(context, OpenAiError.Injected(behavior.Status), retryAfter).ConfigureAwait(false);
                return null;
            case Fault.Hang:
                await WaitAsync(Timeout.InfiniteTimeSpan, ending.Token).ConfigureAwait(false);
                context.Abort();
                return null;
            case Fault.Reset:
                context.Abort();
                return null;
            default:
                return behavior;
        }
    }

    /// <summary>A whole JSON answer; or, told to drop or stall, half of it.</summary>
    public async Task JsonAsync(HttpContext context, JsonObject body, FakeBehavior behavior)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(behavior);
        var bytes = Encoding.UTF8.GetBytes(OpenAiWire.Serialize(body));
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = bytes.Length;
        if (behavior.Fault is Fault.Drop or Fault.Stall)
        {
            await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2), context.RequestAborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            await CutAsync(context, behavior).ConfigureAwait(false);
            return;
        }

        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Server-sent events, <c>data: {json}</c> each, flushed one by one with the chunk delay between
    /// them, ending with <c>data: [DONE]</c>; or, told to drop or stall, cut after as many events as asked.
    /// </summary>
    public async Task StreamAsync(HttpContext context, IEnumerable<JsonObject> events, FakeBehavior behavior)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(behavior);
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        await response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        var delay = behavior.ChunkDelay ?? TimeSpan.FromMilliseconds(options.Value.ChunkDelayMs);
        var sent = 0;
        foreach (var data in events.Select(OpenAiWire.Serialize).Append("[DONE]"))
        {
            if (sent > 0 && delay > TimeSpan.Zero && !await WaitAsync(delay, context.RequestAborted).ConfigureAwait(false))
            {
                return;
            }

            if (behavior.Fault is Fault.Drop or Fault.Stall && sent == behavior.CutAfterEvents)
            {
                await CutAsync(context, behavior).ConfigureAwait(false);
                return;
            }

            await response.WriteAsync($"data: {data}\n\n", context.RequestAborted).ConfigureAwait(false);
            await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            sent++;
        }
    }

    private async Task CutAsync(HttpContext context, FakeBehavior behavior)
    {
        // A reset that closely follows data makes the client's kernel discard what the client has not
        // read yet (headers included), which would turn "dropped mid-body" into "never answered".
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        await WaitAsync(behavior.Fault == Fault.Stall ? Timeout.InfiniteTimeSpan : CutGrace, ending.Token).ConfigureAwait(false);
        context.Abort();
    }

    /// <summary>Waits; false when the wait was cut short because the client left or the fake is stopping.</summary>
    private async Task<bool> WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        await Task.Delay(delay, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return !cancellationToken.IsCancellationRequested;
    }
}
