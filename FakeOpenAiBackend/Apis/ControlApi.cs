using Gateway.FakeOpenAiBackend.Infrastructure;
using Gateway.FakeOpenAiBackend.Model;
using Gateway.FakeOpenAiBackend.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.FakeOpenAiBackend.Apis;

/// <summary>
/// The body of <c>POST /_fake/behavior</c>. <see cref="Times"/>: requests to apply it to, then back to
/// normal; null or absent for every request until cleared.
/// </summary>
internal sealed record BehaviorChange(string? Behavior, int? Times);

/// <summary>
/// <c>/_fake</c>: what tests tell and ask the fake. Outside <c>/v1</c>, so a gateway whose base URL for
/// this backend ends in <c>/v1</c> can never forward a caller there. Also the liveness probe.
/// </summary>
internal static class ControlApi
{
    public static IEndpointRouteBuilder MapControlApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/alive", () => TypedResults.Ok("alive"));
        app.MapGet("/healthz", () => TypedResults.Ok("healthy"));

        var api = app.MapGroup("/_fake");
        api.MapGet("/behavior", (InstanceBehavior instance) => TypedResults.Ok(instance.State));
        api.MapPost("/behavior", SetBehavior);
        api.MapDelete("/behavior", (InstanceBehavior instance, ILogger<InstanceBehavior> logger) =>
        {
            instance.Clear();
            Log.InstanceBehaviorCleared(logger);
            return TypedResults.NoContent();
        });

        // ?run= keeps the requests that carried X-Fake-Run with that value.
        api.MapGet("/requests", (string? run, RequestJournal journal) => TypedResults.Ok(journal.Read(run)));
        api.MapDelete("/requests", (RequestJournal journal) =>
        {
            journal.Clear();
            return TypedResults.NoContent();
        });
        return app;
    }

    private static Results<Ok<InstanceBehaviorState>, ProblemHttpResult> SetBehavior(BehaviorChange change, InstanceBehavior instance, ILogger<InstanceBehavior> logger)
    {
        if (change.Behavior is not { } text || !FakeBehavior.TryParse(text, out var behavior))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown fake behavior", detail: $"Expected {FakeBehavior.Grammar}.");
        }

        if (change.Times is < 1)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid times", detail: "times must be 1 or more, or absent for every request.");
        }

        instance.Set(behavior, text, change.Times);
        Log.InstanceBehaviorSet(logger, text, change.Times);
        return TypedResults.Ok(instance.State);
    }
}
