using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Gateway.PoolService.Model;

namespace Gateway.PoolService.Services;

/// <summary>
/// What a valid registry entry is, for configuration and the admin API alike. Errors are keyed
/// by the JSON field name and never repeat a value (an API key must not leak through a message).
/// </summary>
internal static partial class RegistryRules
{
    public const int MaxRpm = 1_000_000;
    public const int MaxWeight = 1000;
    public const int MaxTimeoutSeconds = 3600;
    public const int MaxIntervalSeconds = 3600;
    public const int MaxModels = 200;
    public const int MaxNameLength = 200;
    public const int MaxApiKeyLength = 4096;
    public const decimal MaxPrice = 1_000_000m;
    public const int DefaultWeight = 1;
    public const int DefaultTimeoutSeconds = 60;
    public const int DefaultHealthIntervalSeconds = 30;

    /// <summary>Backend ids and pool names: they are actor ids and state key parts, so kept to a safe alphabet.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    /// <summary>The rule for ids and pool names, as a sentence.</summary>
    public const string IdRule = "must be 1 to 64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit";

    public static bool IsId(string? value) => value is not null && IdPattern().IsMatch(value);

    /// <summary>
    /// Checks <paramref name="settings"/> as the backend <paramref name="id"/> and turns it into a
    /// record (API key still in plain text in <see cref="BackendDraft.ApiKey"/>). Does not check
    /// that the pool exists; the caller knows the registry.
    /// </summary>
    public static bool TryBackend(string? id, BackendSettings settings, out BackendDraft draft, out Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var problems = new Problems();
        draft = default!;
        if (!IsId(id))
        {
            problems.Add("id", IdRule);
        }

        if (settings.Id is not null && id is not null && settings.Id != id)
        {
            problems.Add("id", "must match the id in the path when given in the body");
        }

        if (!IsId(settings.Pool))
        {
            problems.Add("pool", settings.Pool is null ? "is required" : IdRule);
        }

        CheckBaseUrl(settings.BaseUrl, problems);
        if (settings.ApiKey is { Length: > 0 } key && (key.Length > MaxApiKeyLength || key.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))))
        {
            // Never echo the key: only what is wrong with it.
            problems.Add("apiKey", $"must be at most {MaxApiKeyLength} characters without spaces or control characters");
        }

        var models = CheckModels(settings.Models, problems);
        var pricing = CheckPricing(settings.Pricing, settings.Models, problems);
        var rpm = Bounded(settings.Rpm, "rpm", 1, MaxRpm, null, problems);
        var weight = Bounded(settings.Weight, "weight", 1, MaxWeight, DefaultWeight, problems);
        var timeout = Bounded(settings.TimeoutSeconds, "timeoutSeconds", 1, MaxTimeoutSeconds, DefaultTimeoutSeconds, problems);
        var interval = Bounded(settings.HealthIntervalSeconds, "healthIntervalSeconds", 1, MaxIntervalSeconds, DefaultHealthIntervalSeconds, problems);
        CheckHealthPath(settings.HealthPath, problems);

        errors = problems.ToDictionary();
        if (errors.Count > 0)
        {
            return false;
        }

        draft = new BackendDraft(
            new BackendRecord
            {
                Id = id!,
                Pool = settings.Pool!,
                BaseUrl = settings.BaseUrl!,
                Models = models,
                Pricing = pricing,
                Rpm = rpm,
                Weight = weight,
                TimeoutSeconds = timeout,
                Enabled = settings.Enabled ?? true,
                HealthPath = string.IsNullOrEmpty(settings.HealthPath) ? null : settings.HealthPath,
                HealthIntervalSeconds = interval,
            },
            settings.ApiKey);
        return true;
    }

    /// <summary>Checks a pool named <paramref name="name"/> with <paramref name="order"/> (required).</summary>
    public static bool TryPool(string? name, int? order, out PoolRecord pool, out Dictionary<string, string[]> errors)
    {
        var problems = new Problems();
        pool = default!;
        if (!IsId(name))
        {
            problems.Add("name", IdRule);
        }

        if (order is null)
        {
            problems.Add("order", "is required");
        }
        else if (order is < -1_000_000 or > 1_000_000)
        {
            problems.Add("order", "must be between -1000000 and 1000000");
        }

        errors = problems.ToDictionary();
        if (errors.Count > 0)
        {
            return false;
        }

        pool = new PoolRecord { Name = name!, Order = order!.Value };
        return true;
    }

    /// <summary>Checks the alias <paramref name="alias"/> for <paramref name="model"/>; whether the model exists is the caller's to check.</summary>
    public static bool TryAlias(string? alias, string? model, out AliasRecord record, out Dictionary<string, string[]> errors)
    {
        var problems = new Problems();
        record = default!;
        if (ModelNameProblem(alias) is { } aliasProblem)
        {
            problems.Add("alias", aliasProblem);
        }

        if (ModelNameProblem(model) is { } modelProblem)
        {
            problems.Add("model", modelProblem);
        }
        else if (model == alias)
        {
            problems.Add("model", "must differ from the alias");
        }

        errors = problems.ToDictionary();
        if (errors.Count > 0)
        {
            return false;
        }

        record = new AliasRecord { Alias = alias!, Model = model! };
        return true;
    }

    /// <summary>Model names and aliases: 1 to 200 characters, no control characters, not blank.</summary>
    public static string? ModelNameProblem(string? name) =>
        name is null ? "is required"
        : name.Length is 0 or > MaxNameLength || string.IsNullOrWhiteSpace(name) || name.Any(char.IsControl)
            ? $"must be 1 to {MaxNameLength} characters, not blank, without control characters"
            : null;

    private static void CheckBaseUrl(string? baseUrl, Problems problems)
    {
        if (baseUrl is null)
        {
            problems.Add("baseUrl", "is required");
            return;
        }

        if (baseUrl.Length > 2048
            || !Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.UserInfo.Length > 0
            || uri.Query.Length > 0
            || uri.Fragment.Length > 0)
        {
            problems.Add("baseUrl", "must be an absolute http or https URL without user info, query or fragment, at most 2048 characters");
        }
    }

    private static ImmutableDictionary<string, string> CheckModels(Dictionary<string, string?>? models, Problems problems)
    {
        if (models is null || models.Count == 0)
        {
            problems.Add("models", "must map at least one canonical model name to the backend's name for it");
            return ImmutableDictionary<string, string>.Empty;
        }

        if (models.Count > MaxModels)
        {
            problems.Add("models", $"must have at most {MaxModels} entries");
        }

        foreach (var (name, upstream) in models)
        {
            if (ModelNameProblem(name) is { } problem)
            {
                problems.Add("models", "a model name " + problem);
            }
            else if (ModelNameProblem(upstream) is { } upstreamProblem)
            {
                // An empty upstream name in configuration is what a ':' in the model name leaves behind.
                problems.Add($"models['{name}']", "the upstream name " + upstreamProblem + " (in configuration, a ':' in a model name splits the key: add such models through the admin API)");
            }
        }

        return models.ToImmutableDictionary(m => m.Key, m => m.Value ?? "", StringComparer.Ordinal);
    }

    private static ImmutableDictionary<string, ModelPrice> CheckPricing(Dictionary<string, PriceSettings?>? pricing, Dictionary<string, string?>? models, Problems problems)
    {
        if (pricing is null || pricing.Count == 0)
        {
            return ImmutableDictionary<string, ModelPrice>.Empty;
        }

        var builder = ImmutableDictionary.CreateBuilder<string, ModelPrice>(StringComparer.Ordinal);
        foreach (var (model, price) in pricing)
        {
            var field = $"pricing['{model}']";
            if (models is null || !models.ContainsKey(model))
            {
                problems.Add(field, "prices a model the backend does not serve (not in models)");
                continue;
            }

            var input = price?.InputPerMillion;
            var output = price?.OutputPerMillion;
            if (input is null or < 0 or > MaxPrice || output is null or < 0 or > MaxPrice)
            {
                problems.Add(field, $"needs inputPerMillion and outputPerMillion, each between 0 and {MaxPrice}");
                continue;
            }

            builder[model] = new ModelPrice(input.Value, output.Value);
        }

        return builder.ToImmutable();
    }

    private static void CheckHealthPath(string? path, Problems problems)
    {
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        // Confined below the base URL: no scheme or authority, no climbing, nothing a server would re-route.
        if (path.Length > 512
            || path[0] != '/'
            || path.StartsWith("//", StringComparison.Ordinal)
            || path.Any(c => char.IsControl(c) || c is '\\' or '#' or ' ')
            || path.Split('?')[0].Split('/').Any(segment => Uri.UnescapeDataString(segment) is "." or ".."))
        {
            problems.Add("healthPath", "must be a path starting with '/' (at most 512 characters, no '..' segments, spaces, backslashes or fragments)");
        }
    }

    private static int Bounded(int? value, string field, int min, int max, int? fallback, Problems problems)
    {
        if (value is null)
        {
            if (fallback is null)
            {
                problems.Add(field, "is required");
            }

            return fallback ?? 0;
        }

        if (value < min || value > max)
        {
            problems.Add(field, $"must be between {min} and {max}");
        }

        return value.Value;
    }

    /// <summary>Field → messages, in the order found.</summary>
    private sealed class Problems
    {
        private readonly Dictionary<string, List<string>> _byField = new(StringComparer.Ordinal);

        public void Add(string field, string message)
        {
            if (!_byField.TryGetValue(field, out var list))
            {
                _byField[field] = list = [];
            }

            list.Add(message);
        }

        public Dictionary<string, string[]> ToDictionary() =>
            _byField.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }
}

/// <summary>A checked backend and its API key still in plain text (null: none given).</summary>
internal sealed record BackendDraft(BackendRecord Record, string? ApiKey);
