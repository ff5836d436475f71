namespace Gateway.ProxyService.Infrastructure;

/// <summary>
/// The providers of <c>ANY /api/proxy/{provider}/{**path}</c>, bound from the <c>Providers</c>
/// configuration section: one entry per provider name (e.g. <c>Providers__demo__BaseUrl=...</c>).
/// Validated at start by <see cref="Services.ProviderCatalog"/>; every message names the provider
/// and the field.
/// </summary>
internal sealed class ProvidersOptions
{
    public const string SectionName = "Providers";

    public Dictionary<string, ProviderOptions> Items { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// One third-party task API (ARCHITECTURE.md section 5a). The provider's name is its key under
/// <c>Providers</c>: 1 to 64 of <c>a-z A-Z 0-9 _ . -</c>, starting with a letter or digit, matched
/// without regard to case in <c>/api/proxy/{provider}</c>.
/// </summary>
internal sealed class ProviderOptions
{
    /// <summary>False answers every request for the provider with 404, as for an unknown one. Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Where requests go: an absolute http(s) URL, optionally with a path (the proxied path is
    /// appended below it and can never leave it), without query or fragment. Required. The host
    /// may name a service, e.g. <c>http://faketasks/v1</c>: .NET service discovery resolves it on
    /// every request, from <c>services:{name}:http:0</c> (or <c>https:0</c>) as the AppHost gives
    /// every program; a host it knows nothing of is used as written.
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>The provider's credential, injected into every forwarded request. Required.</summary>
    public CredentialOptions Credential { get; set; } = new();

    public ProviderBillingOptions Billing { get; set; } = new();

    /// <summary>
    /// How long the provider may stay silent: until the answer's headers arrive, then between two
    /// reads of the body. It ends the call with 504 (a submit releases its hold as
    /// <c>provider_unreachable</c>). Default: 100 s. Between 1 second and 1 hour.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// The largest request body accepted on every route, passthrough included, chunked or not: a
    /// larger one is answered 413 and never forwarded (bodies are read whole before forwarding).
    /// Default: 10 MiB. Between 0 and 1 GiB.
    /// </summary>
    public long MaxRequestBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// Request headers removed on top of the ones always removed (<c>Authorization</c>,
    /// <c>Proxy-Authorization</c>, <c>X-Api-Key</c>, <c>Api-Key</c>, <c>Cookie</c>, the
    /// credential's own header, forwarding and gateway headers). Default: none.
    /// </summary>
    public List<string>? StripHeaders { get; set; }

    /// <summary>
    /// Where a provider that answers a submit with 2xx but no task id puts its error code; the first
    /// that yields a value becomes the release reason. Default: <c>$.errorCode</c>, <c>$.code</c>,
    /// <c>$.error.code</c>.
    /// </summary>
    public List<string>? ErrorCodePaths { get; set; }

    /// <summary>The requests that start a billed task. Default: none (only passthrough).</summary>
    public List<SubmitRouteOptions>? SubmitRoutes { get; set; }

    /// <summary>The requests that read a task's status. Default: none.</summary>
    public List<QueryRouteOptions>? QueryRoutes { get; set; }

    /// <summary>Which spellings of a path the provider treats as one, for matching routes and passthrough paths.</summary>
    public PathMatchingOptions PathMatching { get; set; } = new();

    /// <summary>The requests forwarded unbilled: those that are neither a submit nor a query.</summary>
    public PassthroughOptions Passthrough { get; set; } = new();
}

/// <summary>
/// How the provider routes, so that routes match every spelling of a path it would accept (a
/// submit spelled <c>/Tasks/</c> is still a billed submit). The defaults are how most HTTP
/// frameworks route.
/// </summary>
internal sealed class PathMatchingOptions
{
    /// <summary>
    /// True: <c>/Tasks</c> is not <c>/tasks</c>. Default: false (literal segments compared without
    /// regard to case; a task id read from the path keeps its case).
    /// </summary>
    public bool CaseSensitive { get; set; }

    /// <summary>True: <c>/tasks/</c> is not <c>/tasks</c>. Default: false.</summary>
    public bool TrailingSlashSignificant { get; set; }

    /// <summary>
    /// True: <c>//tasks</c> is <c>/tasks</c>, and it is forwarded so. False: a path with an empty
    /// segment is refused with 400. Default: true.
    /// </summary>
    public bool CollapseRepeatedSlashes { get; set; } = true;
}

/// <summary>
/// The requests forwarded unbilled (streamed back, not tracked): a method of <see cref="Methods"/>
/// on a path matching one of <see cref="Paths"/>. Any other request that is not a submit or a
/// query is answered 405 (the path is served with other methods) or 404, and never forwarded.
/// </summary>
internal sealed class PassthroughOptions
{
    /// <summary>The standard methods forwarded when <see cref="Methods"/> is not set.</summary>
    public static readonly IReadOnlyList<string> DefaultMethods = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"];

    /// <summary>False: only submits and queries are forwarded. Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The methods forwarded, matched exactly (a request's <c>get</c> is not <c>GET</c>); written
    /// here in any case. Default: GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE. <c>CONNECT</c> and
    /// <c>TRACE</c> (which would echo the injected credential) are refused.
    /// </summary>
    public List<string>? Methods { get; set; }

    /// <summary>The paths forwarded, as <see cref="Services.PathGlob"/>s. Default: <c>/**</c> (every path).</summary>
    public List<string>? Paths { get; set; }
}

/// <summary>How the provider's credential is injected, and where its value comes from.</summary>
/// <remarks>
/// Exactly one source: <see cref="Environment"/>, <see cref="ConfigurationKey"/> or <see cref="File"/>.
/// The value is read once at start, never logged, never echoed, and never stored in the ledger.
/// </remarks>
internal sealed class CredentialOptions
{
    /// <summary>
    /// The request header that carries the credential. Default: <c>Authorization</c>, unless
    /// <see cref="QueryParameter"/> is set.
    /// </summary>
    public string? Header { get; set; }

    /// <summary>
    /// Written before the value, with a space, e.g. <c>Bearer</c>. Default: <c>Bearer</c> for the
    /// <c>Authorization</c> header, nothing for any other header. Set to an empty string for none.
    /// </summary>
    public string? Scheme { get; set; }

    /// <summary>A query parameter that carries the credential instead of a header (a client's parameter of the same name is dropped). Default: none.</summary>
    public string? QueryParameter { get; set; }

    /// <summary>The environment variable holding the value.</summary>
    public string? Environment { get; set; }

    /// <summary>A configuration key holding the value, e.g. <c>Secrets:demo</c> from a secrets file or user secrets.</summary>
    public string? ConfigurationKey { get; set; }

    /// <summary>A file holding the value (surrounding white space is trimmed), e.g. a mounted secret.</summary>
    public string? File { get; set; }
}

/// <summary>Whether and how a provider's tasks are billed.</summary>
internal sealed class ProviderBillingOptions
{
    /// <summary>
    /// <c>Required</c>: a submit needs <c>X-Thread-Id</c> (the account) and a reservation, or it is
    /// refused. <c>Optional</c>: billed when it can be; without an account, or with BillingService
    /// unreachable, the task runs unbilled and the call record says why. <c>Off</c>: never billed.
    /// Default: Required.
    /// </summary>
    public BillingMode Mode { get; set; } = BillingMode.Required;

    /// <summary>The amount reserved for a submit, in minor units. Default: 1. Between 1 and 10^15.</summary>
    public long DefaultAmount { get; set; } = 1;

    /// <summary>
    /// <c>estimate</c>: the final amount is the usage reported at the end (or the reservation when the
    /// provider reports none). <c>fixed</c>: the reservation is the price. Default: estimate.
    /// </summary>
    public string AmountType { get; set; } = "estimate";

    /// <summary>
    /// How long the reservation holds funds; a task that ends later is not charged (the hold expired
    /// and was released by BillingService). Default: 1 hour. Between 1 minute and 1 day, whole seconds.
    /// </summary>
    public TimeSpan ReservationTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The summed usage is multiplied by this and rounded up to whole minor units. Default: 1. Positive.</summary>
    public decimal UsageMultiplier { get; set; } = 1m;
}

internal enum BillingMode
{
    Required = 0,
    Optional = 1,
    Off = 2,
}

/// <summary>A request that starts a task.</summary>
internal sealed class SubmitRouteOptions
{
    /// <summary>The operation name in billing and the ledger. Default: <c>submit{index}</c>.</summary>
    public string? Name { get; set; }

    /// <summary>The HTTP method. Default: POST.</summary>
    public string? Method { get; set; }

    /// <summary>The path below the base URL, as a <see cref="Services.PathGlob"/>. Required.</summary>
    public string? Path { get; set; }

    /// <summary>Where the task id is in a successful answer. Default: <c>$.taskId</c>.</summary>
    public string? TaskIdPath { get; set; }

    /// <summary>The amount reserved for this route instead of the provider's default. Default: none.</summary>
    public long? Amount { get; set; }

    /// <summary>The amount type for this route instead of the provider's. Default: none.</summary>
    public string? AmountType { get; set; }
}

/// <summary>A request that reads a task's status. Exactly one of the three <c>TaskId...</c> settings is required.</summary>
internal sealed class QueryRouteOptions
{
    /// <summary>A name for logs and the ledger. Default: <c>query{index}</c>.</summary>
    public string? Name { get; set; }

    /// <summary>The HTTP method. Default: GET.</summary>
    public string? Method { get; set; }

    /// <summary>The path below the base URL, as a <see cref="Services.PathGlob"/>. Required.</summary>
    public string? Path { get; set; }

    /// <summary>The task id is this segment of the path below the base URL (0 is the first).</summary>
    public int? TaskIdPathSegment { get; set; }

    /// <summary>The task id is this query string parameter.</summary>
    public string? TaskIdQueryParameter { get; set; }

    /// <summary>The task id is at this JSON path of the request body.</summary>
    public string? TaskIdBodyPath { get; set; }

    /// <summary>Where the status is in the answer. Default: <c>$.status</c>.</summary>
    public string? StatusPath { get; set; }

    /// <summary>Status values that mean the task succeeded (compared without regard to case). Required.</summary>
    public List<string>? SuccessValues { get; set; }

    /// <summary>Status values that mean the task failed. Required.</summary>
    public List<string>? FailureValues { get; set; }

    /// <summary>
    /// JSON paths of usage figures in a successful answer, all summed (wildcards included) into the
    /// amount charged. Default: none, and then the reserved amount is charged.
    /// </summary>
    public List<string>? UsagePaths { get; set; }
}
