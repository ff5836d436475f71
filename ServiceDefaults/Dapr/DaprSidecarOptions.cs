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

    /// <summary><c>DAPR_API_TOKEN</c>: sent as <c>dapr-api-token</c> on every call to the sidecar when set.</summary>
    public string? ApiToken { get; init; }

    /// <summary><c>APP_API_TOKEN</c>: calls into the app must carry it as <c>dapr-api-token</c> when set.</summary>
    public string? AppApiToken { get; init; }

    /// <summary>Reads the variables daprd and the Dapr CLI give an app.</summary>
    public static DaprSidecarOptions FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var endpoint = environment("DAPR_HTTP_ENDPOINT");
        var port = environment("DAPR_HTTP_PORT");
        Uri httpEndpoint;
        if (!string.IsNullOrEmpty(endpoint))
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
            {
                throw new InvalidOperationException($"DAPR_HTTP_ENDPOINT '{endpoint}' is not an http(s) URL");
            }

            httpEndpoint = parsed;
        }
        else if (!string.IsNullOrEmpty(port))
        {
            if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
            {
                throw new InvalidOperationException($"DAPR_HTTP_PORT '{port}' is not a port number");
            }

            httpEndpoint = new Uri($"http://127.0.0.1:{number}");
        }
        else
        {
            httpEndpoint = new Uri("http://127.0.0.1:3500");
        }

        return new DaprSidecarOptions
        {
            HttpEndpoint = httpEndpoint,
            ApiToken = NullIfEmpty(environment("DAPR_API_TOKEN")),
            AppApiToken = NullIfEmpty(environment("APP_API_TOKEN")),
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
