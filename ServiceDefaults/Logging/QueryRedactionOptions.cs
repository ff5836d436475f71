namespace Gateway.ServiceDefaults.Logging;

/// <summary>
/// Query parameters <see cref="QueryRedaction"/> hides on top of its built-in names, bound from
/// the <c>Redaction</c> section (e.g. <c>Redaction__QueryParameters__0=ident</c>). A service adds
/// names of its own configuration itself (ProxyService: its providers' credential parameters).
/// </summary>
public sealed class QueryRedactionOptions
{
    public const string SectionName = "Redaction";

    /// <summary>Names whose values are always redacted, whatever they look like (compared as <see cref="QueryRedaction"/> compares). Default: none.</summary>
    public IList<string> QueryParameters { get; } = [];
}
