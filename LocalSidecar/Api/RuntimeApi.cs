using System.Text.Json.Nodes;
using Gateway.LocalSidecar.Hosting;
using Gateway.LocalSidecar.State;

namespace Gateway.LocalSidecar.Api;

/// <summary>Health and metadata (DAPR-HTTP.md section 6).</summary>
internal static class RuntimeApi
{
    /// <summary>The Dapr runtime version whose HTTP API this stand-in follows.</summary>
    public const string EmulatedRuntimeVersion = "1.16.0";

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

    private static Task Metadata(HttpContext context, SidecarOptions options, StateStoreCatalog stores, Actors.HostedActors actors)
    {
        var components = new JsonArray();
        foreach (var store in stores.All)
        {
            components.Add(new JsonObject
            {
                ["name"] = store.Name,
                ["type"] = store.Type,
                ["version"] = store.Version,
                ["capabilities"] = new JsonArray([.. store.Capabilities.Select(c => JsonValue.Create(c))]),
            });
        }

        var body = new JsonObject
        {
            ["id"] = options.AppId,
            ["runtimeVersion"] = EmulatedRuntimeVersion,
            ["components"] = components,
            ["extended"] = new JsonObject { ["daprRuntimeVersion"] = EmulatedRuntimeVersion, ["localSidecar"] = "true" },
        };
        if (options.AppPort is { } port)
        {
            body["appConnectionProperties"] = new JsonObject
            {
                ["port"] = port,
                ["protocol"] = "http",
                ["channelAddress"] = options.AppChannelAddress,
            };
        }

        var active = new JsonArray();
        foreach (var (type, count) in actors.ActiveCounts())
        {
            active.Add(new JsonObject { ["type"] = type, ["count"] = count });
        }

        var runtime = new JsonObject
        {
            ["runtimeStatus"] = stores.ActorStateStore is null ? "DISABLED" : actors.IsConfigured ? "RUNNING" : "INITIALIZING",
            ["hostReady"] = actors.IsConfigured && actors.Config.Entities.Count > 0,
            ["placement"] = "localsidecar registry",
        };
        if (active.Count > 0)
        {
            runtime["activeActors"] = active;
            body["actors"] = active.DeepClone();
        }

        body["actorRuntime"] = runtime;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString(DaprError.GoJsonOptions) + "\n", context.RequestAborted);
    }
}
