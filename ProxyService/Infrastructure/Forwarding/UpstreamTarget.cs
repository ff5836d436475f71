using System.Collections.Frozen;

namespace Gateway.ProxyService.Infrastructure.Forwarding;

/// <summary>
/// Where and how to forward: the base URL every forwarded path stays below, the credential to
/// inject, the client headers to drop on top of the ones always dropped, and how long the upstream
/// may stay silent. Task providers and (later) LLM backends are both described by one.
/// </summary>
/// <param name="BaseUri">Absolute http(s) URL, no query or fragment; its path is the prefix of every forwarded path.</param>
/// <param name="Credential">The gateway's credential for this upstream.</param>
/// <param name="StripHeaders">Extra request headers to drop (case-insensitive).</param>
/// <param name="Timeout">YARP's activity timeout: the longest silence of the upstream.</param>
internal sealed record UpstreamTarget(Uri BaseUri, UpstreamCredential Credential, FrozenSet<string> StripHeaders, TimeSpan Timeout)
{
    /// <summary>The base URL without a trailing slash, as YARP's destination prefix.</summary>
    public string DestinationPrefix => BaseUri.GetLeftPart(UriPartial.Path).TrimEnd('/');

    /// <summary>The base path without a trailing slash ("" for the root).</summary>
    public string BasePath => BaseUri.AbsolutePath.TrimEnd('/');
}
