using Gateway.FakeTaskProvider.Services;

namespace Gateway.FakeTaskProvider.Apis;

/// <summary>
/// <c>/_fake</c>: what tests ask the fake about. Outside <c>/v1</c>, so the gateway, whose base URL
/// for this provider ends in <c>/v1</c>, can never forward a caller there.
/// </summary>
internal static class ControlApi
{
    public static IEndpointRouteBuilder MapControlApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/_fake");

        // ?run= keeps the requests that carried X-Fake-Run with that value.
        api.MapGet("/requests", (string? run, RequestJournal journal) => TypedResults.Ok(journal.Read(run)));
        api.MapDelete("/requests", (RequestJournal journal) =>
        {
            journal.Clear();
            return TypedResults.NoContent();
        });
        api.MapGet("/stats", (TaskBook book) => TypedResults.Ok(new { submits = book.Submits }));
        api.MapGet("/tasks/{taskId}", (string taskId, TaskBook book) => book.Find(taskId) is { } task
            ? Results.Ok(new { task.Id, task.Succeeds, task.Steps, task.Usage, task.Polls, task.CreatedAt })
            : Results.NotFound());
        return app;
    }
}
