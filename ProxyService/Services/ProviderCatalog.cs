using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.ProxyService.Infrastructure;
using Gateway.ProxyService.Infrastructure.Forwarding;
using Microsoft.Extensions.Options;

namespace Gateway.ProxyService.Services;

/// <summary>
/// The enabled providers by name (case-insensitive), built from <see cref="ProvidersOptions"/>.
/// Building is also the validation: every problem is reported as
/// <c>Providers:{name}:{field} ...</c>, and a credential that cannot be read is a problem, so a
/// misconfigured proxy refuses to start instead of failing its first request.
/// </summary>
internal sealed partial class ProviderCatalog
{
    /// <summary>The largest amount BillingService accepts in one request (its LedgerLimits.MaxAmount).</summary>
    public const long MaxAmount = 1_000_000_000_000_000;

    private static readonly string[] DefaultErrorCodePaths = ["$.errorCode", "$.code", "$.error.code"];

    private readonly FrozenDictionary<string, ProviderDefinition> _providers;

    private ProviderCatalog(FrozenDictionary<string, ProviderDefinition> providers) => _providers = providers;

    public IEnumerable<ProviderDefinition> All => _providers.Values;

    public bool TryGet(string name, [NotNullWhen(true)] out ProviderDefinition? provider) => _providers.TryGetValue(name, out provider);

    /// <param name="options">The bound <c>Providers</c> section.</param>
    /// <param name="lookup">Reads a configuration key: credentials by <c>ConfigurationKey</c>.</param>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="catalog">The catalog, when there is no problem.</param>
    /// <param name="problems">Every problem found, each naming the provider and the field.</param>
    public static bool TryCreate(
        ProvidersOptions options,
        Func<string, string?> lookup,
        Func<string, string?> environment,
        [NotNullWhen(true)] out ProviderCatalog? catalog,
        out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(environment);
        var errors = new List<string>();
        var providers = new Dictionary<string, ProviderDefinition>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, provider) in options.Items.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var field = new FieldErrors(errors, $"{ProvidersOptions.SectionName}:{name}");
            if (!NamePattern().IsMatch(name))
            {
                field.Add("", "is not a valid provider name: 1 to 64 of A-Z a-z 0-9 _ . -, starting with a letter or digit");
                continue;
            }

            if (provider is null)
            {
                field.Add("", "is empty");
                continue;
            }

            var definition = Build(name, provider, lookup, environment, field);
            if (definition is not null && provider.Enabled)
            {
                providers[name] = definition;
            }
        }

        problems = errors;
        catalog = errors.Count == 0 ? new ProviderCatalog(providers.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase)) : null;
        return catalog is not null;
    }

    private static ProviderDefinition? Build(string name, ProviderOptions provider, Func<string, string?> lookup, Func<string, string?> environment, FieldErrors field)
    {
        var before = field.Count;
        var baseUri = BuildBaseUri(provider.BaseUrl, field);
        var credential = BuildCredential(provider.Credential ?? new CredentialOptions(), lookup, environment, field.Nested("Credential"));
        var billing = BuildBilling(provider.Billing ?? new ProviderBillingOptions(), field.Nested("Billing"));
        if (provider.Timeout < TimeSpan.FromSeconds(1) || provider.Timeout > TimeSpan.FromHours(1))
        {
            field.Add("Timeout", $"must be between 1 second and 1 hour, not {provider.Timeout}");
        }

        if (provider.MaxRequestBodyBytes is < 0 or > 1024L * 1024 * 1024)
        {
            field.Add("MaxRequestBodyBytes", $"must be between 0 and 1073741824, not {provider.MaxRequestBodyBytes}");
        }

        var strip = new List<string>();
        foreach (var (header, i) in (provider.StripHeaders ?? []).Select((h, i) => (h, i)))
        {
            if (!IsToken(header))
            {
                field.Add($"StripHeaders:{i}", "must be a header name");
            }
            else
            {
                strip.Add(header);
            }
        }

        var errorPaths = ParsePaths(provider.ErrorCodePaths is { Count: > 0 } paths ? paths : DefaultErrorCodePaths, "ErrorCodePaths", field);
        var submits = new List<SubmitRoute>();
        foreach (var (route, i) in (provider.SubmitRoutes ?? []).Select((r, i) => (r, i)))
        {
            if (BuildSubmit(route, i, billing, field.Nested($"SubmitRoutes:{i}")) is { } built)
            {
                submits.Add(built);
            }
        }

        var queries = new List<QueryRoute>();
        foreach (var (route, i) in (provider.QueryRoutes ?? []).Select((r, i) => (r, i)))
        {
            if (BuildQuery(route, i, field.Nested($"QueryRoutes:{i}")) is { } built)
            {
                queries.Add(built);
            }
        }

        var matching = provider.PathMatching ?? new PathMatchingOptions();
        var passthrough = BuildPassthrough(provider.Passthrough ?? new PassthroughOptions(), field.Nested("Passthrough"));
        if (field.Count > before || baseUri is null || credential is null || billing is null)
        {
            return null;
        }

        var target = new UpstreamTarget(baseUri, credential, strip.ToFrozenSet(StringComparer.OrdinalIgnoreCase), provider.Timeout);
        return new ProviderDefinition(
            name,
            target,
            billing,
            provider.MaxRequestBodyBytes,
            errorPaths,
            submits,
            queries,
            new PathMatching(matching.CaseSensitive, matching.TrailingSlashSignificant, matching.CollapseRepeatedSlashes),
            passthrough);
    }

    private static PassthroughPolicy BuildPassthrough(PassthroughOptions options, FieldErrors field)
    {
        if (!options.Enabled)
        {
            return new PassthroughPolicy(FrozenSet<string>.Empty, []);
        }

        var methods = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (method, i) in (options.Methods is { Count: > 0 } listed ? listed : PassthroughOptions.DefaultMethods).Select((m, i) => (m, i)))
        {
            var value = method?.Trim().ToUpperInvariant();
            if (!IsToken(value) || value.Length > 32)
            {
                field.Add($"Methods:{i}", "must be an HTTP method such as GET or POST");
            }
            else if (value is "CONNECT" or "TRACE")
            {
                field.Add($"Methods:{i}", $"must not be {value}: it cannot be forwarded safely (TRACE would echo the injected credential)");
            }
            else
            {
                methods.Add(value);
            }
        }

        var paths = new List<PathGlob>();
        foreach (var (text, i) in (options.Paths is { Count: > 0 } globs ? globs : ["/**"]).Select((t, i) => (t, i)))
        {
            if (!PathGlob.TryParse(text, out var glob, out var error))
            {
                field.Add($"Paths:{i}", error);
            }
            else
            {
                paths.Add(glob);
            }
        }

        return new PassthroughPolicy(methods.ToFrozenSet(StringComparer.Ordinal), paths);
    }

    private static Uri? BuildBaseUri(string? text, FieldErrors field)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            field.Add("BaseUrl", "is required: the provider's absolute http(s) URL");
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            field.Add("BaseUrl", "must be an absolute http or https URL");
            return null;
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            field.Add("BaseUrl", "must not have a query, a fragment or user information (put the credential under Credential)");
            return null;
        }

        return uri;
    }

    private static UpstreamCredential? BuildCredential(CredentialOptions options, Func<string, string?> lookup, Func<string, string?> environment, FieldErrors field)
    {
        var sources = new[] { options.Environment, options.ConfigurationKey, options.File }.Count(s => !string.IsNullOrWhiteSpace(s));
        if (sources != 1)
        {
            field.Add("", "needs exactly one of Environment, ConfigurationKey or File: where the provider's secret is read from");
            return null;
        }

        string? value;
        if (!string.IsNullOrWhiteSpace(options.Environment))
        {
            value = environment(options.Environment);
            if (string.IsNullOrWhiteSpace(value))
            {
                field.Add("Environment", $"names the variable {options.Environment}, which is not set or empty");
                return null;
            }
        }
        else if (!string.IsNullOrWhiteSpace(options.ConfigurationKey))
        {
            value = lookup(options.ConfigurationKey);
            if (string.IsNullOrWhiteSpace(value))
            {
                field.Add("ConfigurationKey", $"names the key {options.ConfigurationKey}, which is not set or empty");
                return null;
            }
        }
        else
        {
            try
            {
                value = File.ReadAllText(options.File!).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                field.Add("File", $"names {options.File}, which cannot be read ({e.GetType().Name})");
                return null;
            }

            if (value.Length == 0)
            {
                field.Add("File", $"names {options.File}, which is empty");
                return null;
            }
        }

        value = value.Trim();

        // Described, never shown: the message must not carry the secret.
        if (value.Any(char.IsControl))
        {
            field.Add("", "the secret contains a control character (a line break?); it cannot be sent");
            return null;
        }

        if (!string.IsNullOrEmpty(options.QueryParameter))
        {
            if (!string.IsNullOrEmpty(options.Header))
            {
                field.Add("QueryParameter", "and Header cannot both be set: the credential goes in one place");
                return null;
            }

            if (!QueryNamePattern().IsMatch(options.QueryParameter))
            {
                field.Add("QueryParameter", "must be 1 to 64 of A-Z a-z 0-9 _ . -");
                return null;
            }

            return UpstreamCredential.InQuery(options.QueryParameter, value);
        }

        var header = string.IsNullOrEmpty(options.Header) ? "Authorization" : options.Header;
        if (!IsToken(header))
        {
            field.Add("Header", "must be a header name");
            return null;
        }

        var scheme = options.Scheme ?? (string.Equals(header, "Authorization", StringComparison.OrdinalIgnoreCase) ? "Bearer" : null);
        if (scheme is { Length: > 0 } && !IsToken(scheme))
        {
            field.Add("Scheme", "must be a single word such as Bearer");
            return null;
        }

        return UpstreamCredential.InHeader(header, scheme, value);
    }

    private static BillingPolicy? BuildBilling(ProviderBillingOptions options, FieldErrors field)
    {
        var before = field.Count;
        if (!Enum.IsDefined(options.Mode))
        {
            field.Add("Mode", "must be Required, Optional or Off");
        }

        CheckAmount(options.DefaultAmount, "DefaultAmount", field);
        var amountType = AmountType(options.AmountType, "AmountType", field);
        if (options.ReservationTtl < TimeSpan.FromMinutes(1) || options.ReservationTtl > TimeSpan.FromDays(1) || options.ReservationTtl.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            field.Add("ReservationTtl", $"must be whole seconds between 1 minute and 1 day, not {options.ReservationTtl}");
        }

        if (options.UsageMultiplier <= 0)
        {
            field.Add("UsageMultiplier", $"must be positive, not {options.UsageMultiplier.ToString(CultureInfo.InvariantCulture)}");
        }

        return field.Count > before || amountType is null
            ? null
            : new BillingPolicy(options.Mode, options.DefaultAmount, amountType, options.ReservationTtl, options.UsageMultiplier);
    }

    private static SubmitRoute? BuildSubmit(SubmitRouteOptions options, int index, BillingPolicy? billing, FieldErrors field)
    {
        var before = field.Count;
        var name = RouteName(options.Name, "submit", index, field);
        var method = Method(options.Method, "POST", field);
        var path = Glob(options.Path, field);
        var taskIdPath = ParsePath(options.TaskIdPath ?? "$.taskId", "TaskIdPath", field);
        if (options.Amount is { } amount)
        {
            CheckAmount(amount, "Amount", field);
        }

        var amountType = options.AmountType is null ? billing?.AmountType : AmountType(options.AmountType, "AmountType", field);
        return field.Count > before || billing is null
            ? null
            : new SubmitRoute(name, method, path!, taskIdPath!, options.Amount ?? billing.DefaultAmount, amountType!);
    }

    private static QueryRoute? BuildQuery(QueryRouteOptions options, int index, FieldErrors field)
    {
        var before = field.Count;
        var name = RouteName(options.Name, "query", index, field);
        var method = Method(options.Method, "GET", field);
        var path = Glob(options.Path, field);
        var sources = (options.TaskIdPathSegment is not null ? 1 : 0) + (options.TaskIdQueryParameter is not null ? 1 : 0) + (options.TaskIdBodyPath is not null ? 1 : 0);
        JsonPath? bodyPath = null;
        var source = TaskIdSource.PathSegment;
        if (sources != 1)
        {
            field.Add("", "needs exactly one of TaskIdPathSegment, TaskIdQueryParameter or TaskIdBodyPath: where the task id is");
        }
        else if (options.TaskIdPathSegment is { } segment)
        {
            if (segment < 0)
            {
                field.Add("TaskIdPathSegment", $"must be 0 or more (0 is the first segment below the base URL), not {segment}");
            }
        }
        else if (options.TaskIdQueryParameter is { } parameter)
        {
            source = TaskIdSource.Query;
            if (parameter.Length == 0)
            {
                field.Add("TaskIdQueryParameter", "must not be empty");
            }
        }
        else
        {
            source = TaskIdSource.Body;
            bodyPath = ParsePath(options.TaskIdBodyPath, "TaskIdBodyPath", field);
        }

        var statusPath = ParsePath(options.StatusPath ?? "$.status", "StatusPath", field);
        if (options.SuccessValues is not { Count: > 0 } success || success.Any(string.IsNullOrEmpty))
        {
            field.Add("SuccessValues", "needs at least one status value meaning success (none empty)");
        }

        if (options.FailureValues is not { Count: > 0 } failure || failure.Any(string.IsNullOrEmpty))
        {
            field.Add("FailureValues", "needs at least one status value meaning failure (none empty)");
        }
        else if (options.SuccessValues is { } both && failure.Intersect(both, StringComparer.OrdinalIgnoreCase).FirstOrDefault() is { } overlap)
        {
            field.Add("FailureValues", $"and SuccessValues both list '{overlap}'");
        }

        var usage = ParsePaths(options.UsagePaths ?? [], "UsagePaths", field);
        return field.Count > before
            ? null
            : new QueryRoute(
                name,
                method,
                path!,
                source,
                options.TaskIdPathSegment ?? 0,
                options.TaskIdQueryParameter,
                bodyPath,
                statusPath!,
                options.SuccessValues!.ToFrozenSet(StringComparer.OrdinalIgnoreCase),
                options.FailureValues!.ToFrozenSet(StringComparer.OrdinalIgnoreCase),
                usage);
    }

    private static string RouteName(string? name, string prefix, int index, FieldErrors field)
    {
        if (name is null)
        {
            return prefix + index.ToString(CultureInfo.InvariantCulture);
        }

        if (name.Length is 0 or > 64 || !name.All(c => c is > ' ' and <= '~'))
        {
            field.Add("Name", "must be 1 to 64 printable ASCII characters without spaces");
        }

        return name;
    }

    private static string Method(string? method, string fallback, FieldErrors field)
    {
        var value = string.IsNullOrEmpty(method) ? fallback : method.Trim().ToUpperInvariant();
        if (!IsToken(value) || value.Length > 32 || value is "CONNECT" or "TRACE")
        {
            field.Add("Method", "must be an HTTP method such as GET or POST (not CONNECT or TRACE)");
        }

        return value;
    }

    private static PathGlob? Glob(string? text, FieldErrors field)
    {
        if (!PathGlob.TryParse(text, out var glob, out var error))
        {
            field.Add("Path", text is null ? "is required, e.g. /tasks or /tasks/*" : error);
        }

        return glob;
    }

    private static JsonPath? ParsePath(string? text, string name, FieldErrors field)
    {
        if (!JsonPath.TryParse(text, out var path, out var error))
        {
            field.Add(name, error);
        }

        return path;
    }

    private static List<JsonPath> ParsePaths(IEnumerable<string> texts, string name, FieldErrors field)
    {
        var paths = new List<JsonPath>();
        foreach (var (text, i) in texts.Select((t, i) => (t, i)))
        {
            if (ParsePath(text, $"{name}:{i}", field) is { } path)
            {
                paths.Add(path);
            }
        }

        return paths;
    }

    private static string? AmountType(string? value, string name, FieldErrors field)
    {
        var normalized = value?.ToLowerInvariant();
        if (normalized is "estimate" or "fixed")
        {
            return normalized;
        }

        field.Add(name, "must be \"estimate\" or \"fixed\"");
        return null;
    }

    private static void CheckAmount(long amount, string name, FieldErrors field)
    {
        if (amount is < 1 or > MaxAmount)
        {
            field.Add(name, $"must be a whole number of minor units between 1 and {MaxAmount.ToString(CultureInfo.InvariantCulture)}, not {amount.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    private static bool IsToken([NotNullWhen(true)] string? value) => !string.IsNullOrEmpty(value) && TokenPattern().IsMatch(value);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex QueryNamePattern();

    // RFC 9110 token characters.
    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+\\z", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();

    /// <summary>Collects problems under a configuration path, e.g. <c>Providers:demo:Billing</c>.</summary>
    private readonly struct FieldErrors(List<string> errors, string prefix)
    {
        public int Count => errors.Count;

        public FieldErrors Nested(string name) => new(errors, prefix + ":" + name);

        public void Add(string name, string message) => errors.Add((name.Length == 0 ? prefix : prefix + ":" + name) + " " + message);
    }
}

/// <summary>Validates the providers at start (with ValidateOnStart): the catalog is built once here, and its problems fail the start.</summary>
internal sealed class ProvidersOptionsValidator(IConfiguration configuration) : IValidateOptions<ProvidersOptions>
{
    public ValidateOptionsResult Validate(string? name, ProvidersOptions options) =>
        ProviderCatalog.TryCreate(options, key => configuration[key], Environment.GetEnvironmentVariable, out _, out var problems)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problems);
}
