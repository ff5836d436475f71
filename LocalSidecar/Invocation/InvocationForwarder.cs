using System.Net;
using Gateway.LocalSidecar.Api;
using Gateway.LocalSidecar.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.LocalSidecar.Invocation;

/// <summary>
/// Service invocation (DAPR-HTTP.md section 2). A call for this sidecar's own app goes straight to
/// the app; a call for another app goes to that app's sidecar (its internal port), which delivers
/// it to its app: the same two hops as daprd, with request and response streamed throughout.
/// </summary>
internal sealed partial class InvocationForwarder(
    IHttpForwarder forwarder,
    SidecarOptions options,
    SidecarRegistry registry,
    ILogger<InvocationForwarder> logger) : IDisposable
{
    private static readonly ForwarderRequestConfig RequestConfig = new()
    {
        ActivityTimeout = TimeSpan.FromMinutes(10),
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
    };

    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
    });

    /// <summary>Handles <c>/v1.0/invoke/{appId}/method/...</c> and any unrouted path carrying <c>dapr-app-id</c>.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        var (rawPath, query) = RawTarget(context);
        var (appId, method) = InvocationPath.Find(rawPath, context.Request.Headers["dapr-app-id"]);
        if (appId is null)
        {
            await new DaprError(404, "ERR_DIRECT_INVOKE", "failed getting app id either from the URL path or the header dapr-app-id").WriteAsync(context).ConfigureAwait(false);
            return;
        }

        if (string.Equals(appId, options.AppId, StringComparison.Ordinal))
        {
            await DeliverToAppAsync(context, method, query, callerAppId: options.AppId).ConfigureAwait(false);
            return;
        }

        var target = registry.Resolve(appId);
        if (target is null)
        {
            await InvokeFailed(context, appId, $"couldn't find service: {appId}").ConfigureAwait(false);
            return;
        }

        var uri = new Uri($"http://127.0.0.1:{target.InternalPort}/invoke/{method}{query}");
        var headers = new KeyValuePair<string, string>[]
        {
            new("dapr-caller-app-id", options.AppId),
            new("dapr-callee-app-id", appId),
        };
        var error = await ForwardAsync(context, uri, headers).ConfigureAwait(false);
        if (error != ForwarderError.None)
        {
            registry.Invalidate(appId);
            await InvokeFailed(context, appId, Describe(context, error)).ConfigureAwait(false);
        }
    }

    /// <summary>Handles a call another sidecar forwarded to this one's internal port.</summary>
    public Task DeliverFromSidecarAsync(HttpContext context)
    {
        var (rawPath, query) = RawTarget(context);
        var method = rawPath.StartsWith("/invoke/", StringComparison.Ordinal) ? rawPath["/invoke/".Length..] : rawPath.TrimStart('/');
        var caller = context.Request.Headers["dapr-caller-app-id"].ToString();
        return DeliverToAppAsync(context, method, query, caller.Length == 0 ? options.AppId : caller);
    }

    private async Task DeliverToAppAsync(HttpContext context, string method, string query, string callerAppId)
    {
        if (options.AppPort is not { } port)
        {
            await InvokeFailed(context, options.AppId, "app channel is not initialized").ConfigureAwait(false);
            return;
        }

        var uri = new Uri($"http://{FormatHost(options.AppChannelAddress)}:{port}/{method}{query}");
        var request = context.Request;
        var headers = new List<KeyValuePair<string, string>>
        {
            new("dapr-caller-app-id", callerAppId),
            new("dapr-callee-app-id", options.AppId),
            new("X-Forwarded-For", context.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1"),
            new("X-Forwarded-Host", request.Host.Value ?? ""),
            new("X-Forwarded-Proto", request.Scheme),
        };
        if (options.AppApiToken is { } token)
        {
            headers.Add(new("dapr-api-token", token));
        }

        var error = await ForwardAsync(context, uri, headers).ConfigureAwait(false);
        if (error != ForwarderError.None)
        {
            await InvokeFailed(context, options.AppId, Describe(context, error)).ConfigureAwait(false);
        }
    }

    private async Task<ForwarderError> ForwardAsync(HttpContext context, Uri target, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var transformer = new InvocationTransformer(target, headers);
        var error = await forwarder.SendAsync(context, target.GetLeftPart(UriPartial.Authority), _client, RequestConfig, transformer).ConfigureAwait(false);
        if (error != ForwarderError.None)
        {
            LogForwardFailed(logger, target.Authority, error);
        }

        return error;
    }

    private static async Task InvokeFailed(HttpContext context, string appId, string reason)
    {
        if (context.Response.HasStarted)
        {
            // The app's answer was already on its way; daprd too can only cut it short.
            context.Abort();
            return;
        }

        context.Response.Clear();
        await new DaprError(500, "ERR_DIRECT_INVOKE", $"failed to invoke, id: {appId}, err: {reason}").WriteAsync(context).ConfigureAwait(false);
    }

    private static string Describe(HttpContext context, ForwarderError error)
    {
        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        return exception is null ? error.ToString() : $"{error}: {exception.GetBaseException().Message}";
    }

    private static (string Path, string Query) RawTarget(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        var question = raw.IndexOf('?', StringComparison.Ordinal);
        return question < 0 ? (raw, "") : (raw[..question], raw[question..]);
    }

    private static string FormatHost(string address) =>
        IPAddress.TryParse(address, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address;

    public void Dispose() => _client.Dispose();

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Invocation to {Authority} failed: {Error}")]
    private static partial void LogForwardFailed(ILogger logger, string authority, ForwarderError error);
}
