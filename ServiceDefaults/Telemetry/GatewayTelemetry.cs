namespace Gateway.ServiceDefaults.Telemetry;

/// <summary>
/// The names traces and metrics are collected from (ARCHITECTURE.md section 6). Each service
/// names its own ActivitySource and Meter <c>Gateway.{Service}</c>; the wildcard collects them all.
/// </summary>
public static class GatewayTelemetry
{
    /// <summary>Matches every <c>Gateway.*</c> source and meter.</summary>
    public const string SourcePattern = "Gateway.*";

    /// <summary>The ActivitySource and Meter of the Dapr client.</summary>
    public const string DaprClient = "Gateway.Dapr";

    public static readonly IReadOnlyList<string> FrameworkSources =
        ["Microsoft.AspNetCore", "System.Net.Http", "Yarp.ReverseProxy"];

    public static readonly IReadOnlyList<string> FrameworkMeters =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics",
        "System.Net.Http",
        "System.Net.NameResolution",
        "System.Runtime",
    ];
}
