using System.Text.Json;
using Gateway.FakeTaskProvider.Infrastructure;
using Gateway.FakeTaskProvider.Model;
using Gateway.FakeTaskProvider.Services;
using Microsoft.Extensions.Options;

namespace Gateway.FakeTaskProvider.Apis;

/// <summary>
/// The fake third-party API under <c>/v1</c>. Submit: <c>POST /v1/tasks</c> → <c>{"taskId","status":"queued"}</c>.
/// Status, three ways: <c>GET /v1/tasks/{taskId}</c>, <c>GET /v1/task-status?taskId=</c>,
/// <c>POST /v1/tasks/query {"taskId"}</c>. Plus passthrough material: <c>GET /v1/models</c>,
/// <c>POST /v1/echo</c>, <c>GET /v1/stream</c>.
/// </summary>
/// <remarks>
/// Asked per request with <c>X-Fake-*</c> headers (or <c>fake_*</c> query parameters): on a submit,
/// <c>Outcome: success|failure</c>, <c>Steps: n</c> (polls before the end), <c>Usage: n</c>,
/// <c>Submit: 429|500|hang|delay:{ms}|error-code|no-task-id</c>; on a status read,
/// <c>Poll: 429|500|hang|delay:{ms}</c>; several comma-separated apply in order (<c>delay:1500,500</c>).
/// </remarks>
internal static class TasksApi
{
    public static IEndpointRouteBuilder MapTasksApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok("healthy"));
        app.MapGet("/alive", () => TypedResults.Ok("alive"));
        var api = app.MapGroup("/v1");
        api.MapPost("/tasks", SubmitAsync);
        api.MapGet("/tasks/{taskId}", (string taskId, HttpContext context, TaskBook book, TimeProvider time) => PollAsync(taskId, context, book, time));
        api.MapGet("/task-status", (string? taskId, HttpContext context, TaskBook book, TimeProvider time) => PollAsync(taskId, context, book, time));
        api.MapPost("/tasks/query", QueryByBodyAsync);
        api.MapGet("/models", () => TypedResults.Ok(new { data = new[] { new { id = "fake-video-1" }, new { id = "fake-image-1" } } }));
        api.MapPost("/echo", EchoAsync);
        api.MapGet("/stream", StreamAsync);
        return app;
    }

    private static async Task<IResult> SubmitAsync(HttpContext context, TaskBook book, TimeProvider time, IOptions<FakeProviderOptions> options)
    {
        var request = context.Request;
        var misbehaviour = FakeBehaviour.Read(request, "Submit");
        if (await FakeBehaviour.ApplyAsync(misbehaviour, time, context.RequestAborted) is { } status)
        {
            book.CountRefusedSubmit();
            return Results.Json(new { errorCode = status == 429 ? "RATE_LIMITED" : "INTERNAL_ERROR", message = "Told to fail." }, statusCode: status);
        }

        if (FakeBehaviour.Has(misbehaviour, "error-code"))
        {
            book.CountRefusedSubmit();
            return Results.Json(new { errorCode = "QUOTA_EXCEEDED", message = "The account's quota is used up." });
        }

        if (FakeBehaviour.Has(misbehaviour, "no-task-id"))
        {
            book.CountRefusedSubmit();
            return Results.Json(new { status = "queued" });
        }

        var succeeds = !string.Equals(FakeBehaviour.Read(request, "Outcome"), "failure", StringComparison.OrdinalIgnoreCase);
        var task = book.Create(
            succeeds,
            FakeBehaviour.ReadInt(request, "Steps", options.Value.DefaultSteps),
            FakeBehaviour.ReadInt(request, "Usage", options.Value.DefaultUsage));
        return Results.Json(new { taskId = task.Id, status = "queued" });
    }

    private static async Task<IResult> QueryByBodyAsync(HttpContext context, TaskBook book, TimeProvider time)
    {
        string? taskId = null;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("taskId", out var id))
            {
                taskId = id.GetString();
            }
        }
        catch (JsonException)
        {
            return Results.Json(new { errorCode = "BAD_REQUEST", message = "The body must be {\"taskId\": ...}." }, statusCode: 400);
        }

        return await PollAsync(taskId, context, book, time);
    }

    private static async Task<IResult> PollAsync(string? taskId, HttpContext context, TaskBook book, TimeProvider time)
    {
        if (await FakeBehaviour.ApplyAsync(FakeBehaviour.Read(context.Request, "Poll"), time, context.RequestAborted) is { } status)
        {
            return Results.Json(new { errorCode = status == 429 ? "RATE_LIMITED" : "INTERNAL_ERROR", message = "Told to fail." }, statusCode: status);
        }

        if (taskId is null || book.Find(taskId) is not { } task)
        {
            return Results.Json(new { errorCode = "TASK_NOT_FOUND", message = "No such task." }, statusCode: 404);
        }

        var state = task.Poll();
        return state switch
        {
            "succeeded" => Results.Json(new
            {
                taskId = task.Id,
                status = state,
                result = new { url = $"https://example.invalid/results/{task.Id}.mp4" },
                usage = new { units = task.Usage },
                // The same usage split in two, for usage paths with wildcards ($.outputs[*].usage.units).
                outputs = new[] { new { usage = new { units = task.Usage / 2 } }, new { usage = new { units = task.Usage - (task.Usage / 2) } } },
            }),
            "failed" => Results.Json(new { taskId = task.Id, status = state, error = new { code = "GENERATION_FAILED", message = "The fake task failed as asked." } }),
            _ => Results.Json(new { taskId = task.Id, status = state, progress = Math.Min(99, 100 * task.Polls / (task.Steps + 1)) }),
        };
    }

    private static async Task EchoAsync(HttpContext context)
    {
        context.Response.ContentType = context.Request.ContentType ?? "application/octet-stream";
        await context.Request.Body.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private static async Task StreamAsync(HttpContext context, int? chunks, int? delayMs, TimeProvider time)
    {
        context.Response.ContentType = "text/plain";
        for (var i = 0; i < Math.Clamp(chunks ?? 5, 1, 1000); i++)
        {
            await context.Response.WriteAsync($"chunk {i}\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(delayMs ?? 200, 0, 10_000)), time, context.RequestAborted);
        }
    }
}
