namespace Gateway.ServiceDefaults;

/// <summary>
/// Stable <c>type</c> URIs of the problem details (RFC 9457) the services answer with; clients
/// branch on them, so they never change once published.
/// </summary>
public static class ProblemTypes
{
    private const string Prefix = "urn:gateway:problem:";

    public const string Unauthorized = Prefix + "unauthorized";
    public const string BadRequest = Prefix + "bad-request";
    public const string NotFound = Prefix + "not-found";
    public const string MethodNotAllowed = Prefix + "method-not-allowed";
    public const string RequestTimeout = Prefix + "request-timeout";
    public const string LengthRequired = Prefix + "length-required";
    public const string PayloadTooLarge = Prefix + "payload-too-large";
    public const string UnsupportedMediaType = Prefix + "unsupported-media-type";
    public const string HeadersTooLarge = Prefix + "headers-too-large";
    public const string Internal = Prefix + "internal";
}
