namespace Gateway.ServiceDefaults.Telemetry;

/// <summary>
/// The names traces and metrics are collected from (ARCHITECTURE.md section 6). Each service
/// names its own ActivitySource and Meter <c>Gateway.{Service}</c>; the wildcard collects them all.
/// </summary>
public static class GatewayTelemetry
{
    /// <summary>Matches every <c>Gateway.*</c> source and meter.</summary>
    public const string SourcePattern = "Gateway.*";

    /// <summary>YARP's forwarding spans; ASP.NET Core, HttpClient and the runtime come through their instrumentations.</summary>
    public const string YarpSource = "Yarp.ReverseProxy";
}
