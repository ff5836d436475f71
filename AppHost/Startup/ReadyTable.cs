using Microsoft.Extensions.Hosting;

namespace Gateway.AppHost.Startup;

/// <summary>One row of the table printed once the suite is healthy.</summary>
/// <param name="Name">The resource name (the dashboard's).</param>
/// <param name="Url">Where it listens.</param>
internal sealed record ReadyRow(string Name, string Url);

/// <summary>
/// Prints <c>Gateway is ready.</c> and the table of resources and URLs once every resource is
/// healthy, so that a newcomer at a terminal (and a script) knows where to curl without opening
/// the dashboard.
/// </summary>
internal sealed class ReadyTable(ResourceNotificationService notifications, IReadOnlyList<ReadyRow> rows, string summary) : BackgroundService
{
    public const string ReadyLine = "Gateway is ready.";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            foreach (var row in rows)
            {
                await notifications.WaitForResourceHealthyAsync(row.Name, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var width = rows.Max(r => r.Name.Length) + 2;
        var lines = new List<string> { ReadyLine, summary, "NAME".PadRight(width) + "URL" };
        lines.AddRange(rows.Select(r => r.Name.PadRight(width) + r.Url));
        lines.Add("");
        // One write, so that no log line of the orchestrator lands inside the table.
        await Console.Out.WriteAsync(string.Join(Environment.NewLine, lines) + Environment.NewLine).ConfigureAwait(false);
    }
}
