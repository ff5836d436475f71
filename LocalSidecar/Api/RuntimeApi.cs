using System.Text.Json.Nodes;
using Gateway.LocalSidecar.Hosting;
using Gateway.LocalSidecar.Metadata;

namespace Gateway.LocalSidecar.Api;

/// <summary>Health and metadata (DAPR-HTTP.md section 6).</summary>
internal static class RuntimeApi
{
    public static IEndpointRouteBuilder MapRuntimeApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1.0/healthz", Healthz);
        routes.MapGet("/v1.0/healthz/outbound", OutboundHealthz);
        routes.MapGet("/v1.0/metadata", Metadata);
        return routes;
    }

    private static Task Healthz(HttpContext context, SidecarReadiness readiness, SidecarOptions options)
    {
        if (!readiness.IsReady)
        {
            return new DaprError(500, "ERR_HEALTH_NOT_READY", "dapr is not ready: [app]").WriteAsync(context);
        }

        var query = context.Request.Query;
        if (query.ContainsKey("appid") && query["appid"] != options.AppId)
        {
            return new DaprError(500, "ERR_HEALTH_APPID_NOT_MATCH", "dapr app-id does not match").WriteAsync(context);
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private static Task OutboundHealthz(HttpContext context, SidecarReadiness readiness)
    {
        if (!readiness.IsOutboundReady)
        {
            return new DaprError(500, "ERR_OUTBOUND_HEALTH_NOT_READY", "dapr outbound is not ready").WriteAsync(context);
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private static Task Metadata(HttpContext context, RuntimeMetadata metadata)
    {
        var snapshot = metadata.Snapshot();
        var extended = new JsonObject();
        foreach (var (key, value) in snapshot.Extended)
        {
            extended[key] = value;
        }

        var body = new JsonObject
        {
            ["id"] = snapshot.Id,
            ["runtimeVersion"] = snapshot.RuntimeVersion,
            ["components"] = new JsonArray([.. snapshot.Components.Select(c => new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type,
                ["version"] = c.Version,
                ["capabilities"] = new JsonArray([.. c.Capabilities.Select(capability => JsonValue.Create(capability))]),
            })]),
            ["extended"] = extended,
        };
        if (snapshot.AppConnection is { } app)
        {
            body["appConnectionProperties"] = new JsonObject
            {
                ["port"] = app.Port,
                ["protocol"] = app.Protocol,
                ["channelAddress"] = app.ChannelAddress,
            };
        }

        var actorRuntime = snapshot.ActorRuntime;
        var runtime = new JsonObject
        {
            ["runtimeStatus"] = actorRuntime.Status,
            ["hostReady"] = actorRuntime.HostReady,
            ["placement"] = actorRuntime.Placement,
        };
        if (actorRuntime.ActiveActors.Count > 0)
        {
            var active = new JsonArray([.. actorRuntime.ActiveActors.Select(a => new JsonObject { ["type"] = a.Type, ["count"] = a.Count })]);
            runtime["activeActors"] = active;
            body["actors"] = active.DeepClone();
        }

        body["actorRuntime"] = runtime;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString(DaprError.GoJsonOptions) + "\n", context.RequestAborted);
    }
}
