namespace Gateway.ProxyService.Infrastructure.Forwarding;

/// <summary>
/// A secret the gateway adds to requests it forwards: in a header (optionally after a scheme such
/// as <c>Bearer</c>), in a query parameter, or nothing at all (<see cref="None"/>: an upstream
/// that needs no key, such as a local model server). The value is reachable only by the forwarding code;
/// <see cref="ToString"/> names where it goes, never what it is.
/// </summary>
internal sealed class UpstreamCredential
{
    private readonly string _value;

    private UpstreamCredential(string? header, string? scheme, string? queryParameter, string value)
    {
        Header = header;
        Scheme = scheme;
        QueryParameter = queryParameter;
        _value = value;
    }

    /// <summary>Nothing is added; the client's credentials are still stripped.</summary>
    public static UpstreamCredential None { get; } = new(null, null, null, "");

    /// <summary>The header that carries the credential, or null when it goes in the query (or there is none).</summary>
    public string? Header { get; }

    /// <summary>The scheme written before the value in <see cref="Header"/>, or null.</summary>
    public string? Scheme { get; }

    /// <summary>The query parameter that carries the credential, or null when it goes in a header (or there is none).</summary>
    public string? QueryParameter { get; }

    public static UpstreamCredential InHeader(string header, string? scheme, string value) =>
        new(header, string.IsNullOrEmpty(scheme) ? null : scheme, null, value);

    public static UpstreamCredential InQuery(string parameter, string value) => new(null, null, parameter, value);

    /// <summary>The header value to send: the scheme and the secret, or the secret alone.</summary>
    internal string HeaderValue => Scheme is null ? _value : Scheme + " " + _value;

    /// <summary>The secret, for the query parameter.</summary>
    internal string Value => _value;

    public override string ToString() =>
        Header is not null ? $"header {Header}" : QueryParameter is not null ? $"query parameter {QueryParameter}" : "no credential";
}
