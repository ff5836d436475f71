using System.Collections.Frozen;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Gateway.ProxyService.Services;

/// <summary>A request that starts a task: matched by method and path; the answer's task id at <see cref="TaskIdPath"/>.</summary>
internal sealed record SubmitRoute(string Name, string Method, PathGlob Path, JsonPath TaskIdPath, long Amount, string AmountType);

/// <summary>Where a query route finds the task id.</summary>
internal enum TaskIdSource
{
    PathSegment,
    Query,
    Body,
}

/// <summary>A request that reads a task's status, and how its answer is read.</summary>
internal sealed record QueryRoute(
    string Name,
    string Method,
    PathGlob Path,
    TaskIdSource TaskIdSource,
    int TaskIdSegment,
    string? TaskIdQueryParameter,
    JsonPath? TaskIdBodyPath,
    JsonPath StatusPath,
    FrozenSet<string> SuccessValues,
    FrozenSet<string> FailureValues,
    IReadOnlyList<JsonPath> UsagePaths)
{
    /// <summary>The task id this request asks about, or null when it names none.</summary>
    /// <param name="segments">The request's path as the provider's <see cref="PathMatching"/> reads it.</param>
    /// <param name="query">The request's query string.</param>
    /// <param name="body">The request's body.</param>
    public string? ReadTaskId(IReadOnlyList<string> segments, IQueryCollection query, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(query);
        switch (TaskIdSource)
        {
            case TaskIdSource.PathSegment:
                return TaskIdSegment < segments.Count && segments[TaskIdSegment].Length > 0 ? segments[TaskIdSegment] : null;
            case TaskIdSource.Query:
                var value = query[TaskIdQueryParameter!].ToString();
                return value.Length > 0 ? value : null;
            default:
                if (body.IsEmpty)
                {
                    return null;
                }

                try
                {
                    var reader = new Utf8JsonReader(body);
                    using var document = JsonDocument.ParseValue(ref reader);
                    return TaskIdBodyPath!.SelectText(document.RootElement) is { Length: > 0 } id ? id : null;
                }
                catch (JsonException)
                {
                    return null;
                }
        }
    }
}

/// <summary>
/// Which requests that are neither a submit nor a query are forwarded, unbilled: <see cref="Methods"/>
/// (compared exactly: methods are case-sensitive) on a path matching one of <see cref="Paths"/>.
/// </summary>
internal sealed record PassthroughPolicy(FrozenSet<string> Methods, IReadOnlyList<PathGlob> Paths)
{
    public bool Covers(IReadOnlyList<string> segments, PathMatching matching) => Paths.Any(glob => glob.IsMatch(segments, matching));
}

/// <summary>What a request to a provider is.</summary>
internal abstract record RouteMatch
{
    private RouteMatch()
    {
    }

    public sealed record Submit(SubmitRoute Route) : RouteMatch;

    public sealed record Query(QueryRoute Route) : RouteMatch;

    public sealed record Passthrough : RouteMatch
    {
        public static Passthrough Instance { get; } = new();
    }

    /// <summary>The path is served, not with this method: 405, <paramref name="Allow"/> the methods that are.</summary>
    public sealed record MethodNotAllowed(IReadOnlyList<string> Allow) : RouteMatch;

    /// <summary>No route and no passthrough path covers the path: 404.</summary>
    public sealed record NotFound : RouteMatch
    {
        public static NotFound Instance { get; } = new();
    }
}
