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

    /// <summary>YARP's forwarding spans; ASP.NET Core, HttpClient and the runtime come through their instrumentations.</summary>
    public const string YarpSource = "Yarp.ReverseProxy";
}
