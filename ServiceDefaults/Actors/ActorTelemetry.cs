using System.Diagnostics;

namespace Gateway.ServiceDefaults.Actors;

/// <summary>
/// A span per actor call the app serves, from the <c>Gateway.Actors</c> ActivitySource (collected
/// by the <c>Gateway.*</c> pattern). Named by type and call, never by id or reminder name (those are
/// unbounded); tagged with type, id, call kind and method; never with state or arguments.
/// </summary>
internal static class ActorTelemetry
{
    public const string SourceName = "Gateway.Actors";
    public const string TypeTag = "actor.type";
    public const string IdTag = "actor.id";
    public const string CallTag = "actor.call";
    public const string MethodTag = "actor.method";

    private static readonly ActivitySource Source = new(SourceName);

    public static Activity? Start(string actorType, string actorId, string call, string method)
    {
        var activity = Source.StartActivity(call == ActorCalls.Method ? $"Actor {actorType}.{method}" : $"Actor {actorType} {call}", ActivityKind.Server);
        if (activity is not null)
        {
            activity.SetTag(TypeTag, actorType);
            activity.SetTag(IdTag, actorId);
            activity.SetTag(CallTag, call);
            activity.SetTag(MethodTag, method);
        }

        return activity;
    }

    public static void Failed(Activity? activity, int statusCode, string reason)
    {
        if (activity is not null)
        {
            activity.SetTag("http.response.status_code", statusCode);
            activity.SetStatus(ActivityStatusCode.Error, reason);
        }
    }
}

/// <summary>The kinds of call the sidecar makes on an actor (the <c>actor.call</c> tag).</summary>
internal static class ActorCalls
{
    public const string Method = "method";
    public const string Reminder = "reminder";
    public const string Timer = "timer";
    public const string Deactivation = "deactivate";
}
