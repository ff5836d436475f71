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
    public const string Internal = Prefix + "internal";
}
