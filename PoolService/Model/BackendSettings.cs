using System.Text.Json.Serialization;

namespace Gateway.PoolService.Model;

/// <summary>
/// A backend as an operator writes it: an entry of <c>Pool:Backends</c> in configuration, or the
/// body of <c>PUT /admin/backends/{id}</c> (where the id comes from the route). Everything is
/// nullable so that "missing" can be told apart; <see cref="Services.RegistryRules"/> checks it and
/// fills in the defaults.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class BackendSettings
{
    /// <summary>Required in configuration; in the admin API the route's id (a body id must match it).</summary>
    public string? Id { get; set; }

    /// <summary>Required: the pool the backend belongs to.</summary>
    public string? Pool { get; set; }

    /// <summary>Required: absolute http(s) URL, no query, fragment or user info.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>
    /// The upstream API key, stored sealed. Optional. In the admin API, omitted (null) on an
    /// existing backend keeps its key and an empty string removes it.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Required, at least one: canonical model name → the backend's own name for it. In
    /// configuration a model name must not contain <c>:</c> (it separates configuration keys);
    /// register such models through the admin API.
    /// </summary>
    public Dictionary<string, string?>? Models { get; set; }

    /// <summary>Optional prices by canonical model name (each must be one of <see cref="Models"/>).</summary>
    public Dictionary<string, PriceSettings?>? Pricing { get; set; }

    /// <summary>Required: requests per rolling minute, 1 to 1,000,000.</summary>
    public int? Rpm { get; set; }

    /// <summary>Relative share within its pool, 1 to 1000. Default: 1.</summary>
    public int? Weight { get; set; }

    /// <summary>Upstream timeout handed out with each lease, 1 to 3600 seconds. Default: 60.</summary>
    public int? TimeoutSeconds { get; set; }

    /// <summary>Default: true.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Path under the base URL probed with GET (e.g. <c>/models</c>); absent: no probing.</summary>
    public string? HealthPath { get; set; }

    /// <summary>Seconds between probes, 1 to 3600. Default: 30.</summary>
    public int? HealthIntervalSeconds { get; set; }
}

/// <summary>Prices per million tokens (see <see cref="ModelPrice"/>).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class PriceSettings
{
    public decimal? InputPerMillion { get; set; }

    public decimal? OutputPerMillion { get; set; }
}

/// <summary>A pool as an operator writes it: an entry of <c>Pool:Pools</c>, or the body of <c>PUT /admin/pools/{name}</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class PoolSettings
{
    /// <summary>Required in configuration; in the admin API the route's name.</summary>
    public string? Name { get; set; }

    /// <summary>Walk order, lowest first. In configuration the list position when omitted; required in the admin API.</summary>
    public int? Order { get; set; }
}

/// <summary>The body of <c>PUT /admin/aliases/{alias}</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class AliasSettings
{
    /// <summary>Required: the canonical model name the alias stands for.</summary>
    public string? Model { get; set; }
}
