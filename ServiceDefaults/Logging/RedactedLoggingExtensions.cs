using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.ServiceDefaults.Logging;

/// <summary>
/// Logs without secrets (ARCHITECTURE.md section 7): <see cref="QueryRedaction"/> for every URL we
/// log, and the framework's log lines that carry a raw URL switched off, each replaced by a line
/// of ours that goes through it. These filters are added after the configuration's and name the
/// exact category, so no <c>Logging:LogLevel</c> setting turns the raw lines back on.
/// </summary>
/// <remarks>
/// What the framework logs with a URL, as of .NET 10 and YARP 2.3:
/// <list type="bullet">
/// <item>ASP.NET Core hosting, "Request starting/finished" (Information): the whole request URL,
/// query included, as written by the client. Off; <see cref="RequestLogMiddleware"/> logs it redacted.</item>
/// <item>Kestrel's bad-request lines (Debug): the raw request line of a malformed request. Off.</item>
/// <item>YARP's forwarder, "Proxying to {targetUrl}" (Information): the upstream URL with the
/// client's query. Off; its errors are Warnings and stay. ProxyService logs the destination redacted.</item>
/// <item>HttpClientFactory's "Start processing / Sending HTTP request" lines and the System.Net.Http
/// traces (<c>url.full</c>) already print the query as <c>?*</c> (unless the AppContext switch
/// <c>System.Net.Http.DisableUriRedaction</c> is set, which no service sets). Left as they are.</item>
/// </list>
/// </remarks>
internal static class RedactedLoggingExtensions
{
    public static IHostApplicationBuilder AddRedactedLogging(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<QueryRedactionOptions>().Bind(builder.Configuration.GetSection(QueryRedactionOptions.SectionName));
        builder.Services.TryAddSingleton(provider => new QueryRedaction(provider.GetRequiredService<IOptions<QueryRedactionOptions>>().Value.QueryParameters));
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel.BadRequests", LogLevel.Information);
        builder.Logging.AddFilter("Yarp.ReverseProxy.Forwarder.HttpForwarder", LogLevel.Warning);
        return builder;
    }
}
