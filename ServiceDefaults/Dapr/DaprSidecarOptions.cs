using System.Globalization;

namespace Gateway.ServiceDefaults.Dapr;

/// <summary>Where this service's Dapr sidecar is and how to authenticate to it.</summary>
public sealed record DaprSidecarOptions
{
    /// <summary>
    /// The sidecar's HTTP API: <c>DAPR_HTTP_ENDPOINT</c> when set, else
    /// <c>http://127.0.0.1:{DAPR_HTTP_PORT}</c>, else <c>http://127.0.0.1:3500</c> (daprd's default port).
    /// </summary>
    public Uri HttpEndpoint { get; init; } = new("http://127.0.0.1:3500");

    /// <summary>
    /// The sidecar's gRPC API: <c>DAPR_GRPC_ENDPOINT</c> when set, else
    /// <c>http://127.0.0.1:{DAPR_GRPC_PORT}</c>, else <c>http://127.0.0.1:50001</c> (daprd's default
    /// port). The SDK's own default host is <c>localhost</c>, which may resolve to <c>::1</c> first
    /// while a sidecar listens on 127.0.0.1 only.
    /// </summary>
    public Uri GrpcEndpoint { get; init; } = new("http://127.0.0.1:50001");

    /// <summary><c>DAPR_API_TOKEN</c>: sent as <c>dapr-api-token</c> on every call to the sidecar when set.</summary>
    public string? ApiToken { get; init; }

    /// <summary><c>APP_API_TOKEN</c>: calls into the app must carry it as <c>dapr-api-token</c> when set.</summary>
    public string? AppApiToken { get; init; }

    /// <summary>Reads the variables daprd and the Dapr CLI give an app.</summary>
    public static DaprSidecarOptions FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return new DaprSidecarOptions
        {
            HttpEndpoint = Endpoint(environment, "HTTP", 3500),
            GrpcEndpoint = Endpoint(environment, "GRPC", 50001),
            ApiToken = NullIfEmpty(environment("DAPR_API_TOKEN")),
            AppApiToken = NullIfEmpty(environment("APP_API_TOKEN")),
        };
    }

    private static Uri Endpoint(Func<string, string?> environment, string api, int defaultPort)
    {
        var endpoint = environment($"DAPR_{api}_ENDPOINT");
        if (!string.IsNullOrEmpty(endpoint))
        {
            return Uri.TryCreate(endpoint, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"
                ? parsed
                : throw new InvalidOperationException($"DAPR_{api}_ENDPOINT '{endpoint}' is not an http(s) URL");
        }

        var port = environment($"DAPR_{api}_PORT");
        if (string.IsNullOrEmpty(port))
        {
            return new Uri($"http://127.0.0.1:{defaultPort}");
        }

        return int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 65535
            ? new Uri($"http://127.0.0.1:{number}")
            : throw new InvalidOperationException($"DAPR_{api}_PORT '{port}' is not a port number");
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
