using System.Collections.Frozen;
using System.Text;

namespace Gateway.ServiceDefaults.Logging;

/// <summary>
/// Makes a URL fit for a log line or a trace: the value of every query (and fragment) parameter
/// that names a secret becomes <see cref="Redacted"/>, and so does the user information of an
/// absolute URL. Everything else is kept as written, so <c>?token=abc&amp;safe=1</c> logs as
/// <c>?token=[redacted]&amp;safe=1</c>. The one place where a URL is made loggable: every log line
/// of ours that carries a URL goes through it.
/// </summary>
/// <remarks>
/// A parameter names a secret when its name (percent-decoded, without regard to case, with
/// <c>-</c>, <c>_</c> and <c>.</c> left out) is one of the configured names
/// (<see cref="QueryRedactionOptions.QueryParameters"/>, e.g. a provider's credential parameter), or:
/// <list type="bullet">
/// <item>ends with <c>token</c>, <c>key</c>, <c>secret</c>, <c>password</c>, <c>passwd</c>,
/// <c>pwd</c>, <c>signature</c>, <c>credential</c> or <c>credentials</c>: <c>token</c>,
/// <c>access_token</c>, <c>id_token</c>, <c>refresh_token</c>, <c>key</c>, <c>apikey</c>,
/// <c>api_key</c>, <c>api-key</c>, <c>client_secret</c>, <c>password</c>,
/// <c>X-Amz-Signature</c>, <c>X-Amz-Credential</c>, <c>X-Amz-Security-Token</c>,
/// <c>oauth_signature</c>, …;</item>
/// <item>or is one of <c>sig</c> (Azure SAS), <c>code</c> (an OAuth authorization code),
/// <c>auth</c>, <c>authorization</c>, <c>session</c>, <c>sessionid</c>, <c>jwt</c>,
/// <c>assertion</c>, <c>otp</c>, <c>pass</c>.</item>
/// </list>
/// The suffix rule errs on the side of hiding (a harmless <c>sortkey</c> is redacted too): a
/// value hidden by mistake costs a look at the request, a secret shown costs a rotation. Paths are
/// kept as they are: a secret in a path segment is not recognisable as one.
/// </remarks>
public sealed class QueryRedaction
{
    /// <summary>What a secret value is replaced with.</summary>
    public const string Redacted = "[redacted]";

    private static readonly string[] SecretSuffixes = ["token", "key", "secret", "password", "passwd", "pwd", "signature", "credential", "credentials"];

    private static readonly FrozenSet<string> SecretNames =
        new[] { "sig", "code", "auth", "authorization", "session", "sessionid", "jwt", "assertion", "otp", "pass" }.ToFrozenSet(StringComparer.Ordinal);

    private readonly FrozenSet<string> _configured;

    /// <param name="parameters">Parameter names redacted on top of the built-in ones, whatever they look like.</param>
    public QueryRedaction(IEnumerable<string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _configured = parameters.Where(p => !string.IsNullOrWhiteSpace(p)).Select(Normalize).ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>The built-in names only.</summary>
    public static QueryRedaction BuiltIn { get; } = new([]);

    /// <summary>True when a parameter called <paramref name="name"/> (as written in a URL, percent-encoded or not) carries a secret.</summary>
    public bool IsSecret(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var normalized = Normalize(name);
        if (normalized.Length == 0)
        {
            return false;
        }

        return _configured.Contains(normalized) || SecretNames.Contains(normalized)
            || SecretSuffixes.Any(suffix => normalized.EndsWith(suffix, StringComparison.Ordinal));
    }

    /// <summary>
    /// <paramref name="url"/> (absolute, or a path with a query such as <c>/v1/models?key=…</c>)
    /// with every secret replaced; the same string when there is nothing to hide.
    /// </summary>
    public string Redact(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return url ?? "";
        }

        var query = url.IndexOfAny(['?', '#']);
        var head = RedactUserInfo(query < 0 ? url : url[..query]);
        if (query < 0)
        {
            return head;
        }

        var builder = new StringBuilder(url.Length + 16).Append(head);
        var at = query;
        while (at < url.Length)
        {
            // '?' opens the query, '#' the fragment (where OAuth's implicit flow puts its tokens); both are name=value lists.
            var separator = url[at];
            var end = separator == '?' ? url.IndexOf('#', at + 1) : -1;
            end = end < 0 ? url.Length : end;
            builder.Append(separator);
            AppendParameters(builder, url.AsSpan(at + 1, end - at - 1));
            at = end;
        }

        return builder.ToString();
    }

    private void AppendParameters(StringBuilder builder, ReadOnlySpan<char> parameters)
    {
        var first = true;
        foreach (var range in parameters.Split('&'))
        {
            if (!first)
            {
                builder.Append('&');
            }

            first = false;
            var parameter = parameters[range];
            var equals = parameter.IndexOf('=');
            if (equals > 0 && IsSecret(parameter[..equals].ToString()))
            {
                builder.Append(parameter[..(equals + 1)]).Append(Redacted);
            }
            else
            {
                builder.Append(parameter);
            }
        }
    }

    /// <summary><c>scheme://user:password@host/…</c> becomes <c>scheme://[redacted]@host/…</c>.</summary>
    private static string RedactUserInfo(string beforeQuery)
    {
        var scheme = beforeQuery.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            return beforeQuery;
        }

        var authorityStart = scheme + 3;
        var authorityEnd = beforeQuery.IndexOf('/', authorityStart);
        authorityEnd = authorityEnd < 0 ? beforeQuery.Length : authorityEnd;
        var at = beforeQuery.LastIndexOf('@', authorityEnd - 1, authorityEnd - authorityStart);
        return at < 0 ? beforeQuery : string.Concat(beforeQuery.AsSpan(0, authorityStart), Redacted, beforeQuery.AsSpan(at));
    }

    private static string Normalize(string name)
    {
        var decoded = Uri.UnescapeDataString(name.Replace('+', ' '));
        var builder = new StringBuilder(decoded.Length);
        foreach (var c in decoded)
        {
            if (c is not ('-' or '_' or '.') && !char.IsWhiteSpace(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }

        return builder.ToString();
    }
}
