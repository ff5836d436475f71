using System.Collections.Concurrent;
using Gateway.ServiceDefaults.Tests.Dapr.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.ServiceDefaults.Tests.Actors.Support;

/// <summary>One request as the sidecar received it: method, raw target, the headers asked for, body.</summary>
public sealed record RecordedRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string Line => $"{Method} {Target}";
}

/// <summary>
/// A stand-in for daprd's actor API that records every request and answers with
/// <c>respond</c> (status, JSON body or null): for checking the exact wire format, which a real
/// sidecar would accept without showing.
/// </summary>
public sealed class RecordingSidecar : IAsyncDisposable
{
    private static readonly string[] KeptHeaders = ["dapr-api-token", "Dapr-Reentrancy-Id", "Content-Type", "Accept"];

    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private FakeSidecar? _fake;

    public Uri Endpoint => _fake?.Endpoint ?? throw new InvalidOperationException("not started");

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public static async Task<RecordingSidecar> StartAsync(Func<RecordedRequest, (int Status, string? Body)> respond)
    {
        var sidecar = new RecordingSidecar();
        sidecar._fake = await FakeSidecar.StartAsync(async (context, _) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var headers = KeptHeaders
                .Where(h => context.Request.Headers.ContainsKey(h))
                .ToDictionary(h => h, h => context.Request.Headers[h].ToString(), StringComparer.OrdinalIgnoreCase);
            var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
            var request = new RecordedRequest(context.Request.Method, target, headers, body);
            sidecar._requests.Enqueue(request);
            var (status, answer) = respond(request);
            context.Response.StatusCode = status;
            if (answer is not null)
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(answer);
            }
        });
        return sidecar;
    }

    /// <summary>A Dapr error body.</summary>
    public static string DaprError(string errorCode, string message = "failed") =>
        System.Text.Json.JsonSerializer.Serialize(new { errorCode, message });

    public async ValueTask DisposeAsync()
    {
        if (_fake is not null)
        {
            await _fake.DisposeAsync();
        }
    }
}
