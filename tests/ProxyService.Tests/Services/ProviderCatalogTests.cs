using Gateway.ProxyService.Infrastructure;
using Gateway.ProxyService.Services;
using Gateway.Testing;

namespace Gateway.ProxyService.Tests.Services;

public sealed class ProviderCatalogTests
{
    private const string Secret = "s3cr3t-value-never-shown";

    [Fact]
    public void TryCreate_FullProvider_CompilesRoutesAndCredential()
    {
        var options = Options(("demo", Valid()));

        var catalog = Create(options);

        Assert.True(catalog.TryGet("DEMO", out var demo));
        Assert.Equal("http://provider.example/v1", demo.Target.DestinationPrefix);
        Assert.Equal("/v1", demo.Target.BasePath);
        Assert.Equal("Authorization", demo.Target.Credential.Header);
        Assert.Equal("Bearer", demo.Target.Credential.Scheme);
        Assert.Equal("Bearer " + Secret, demo.Target.Credential.HeaderValue);
        Assert.Equal(BillingMode.Required, demo.Billing.Mode);
        var submit = Assert.IsType<RouteMatch.Submit>(demo.Classify("POST", "/tasks"));
        Assert.Equal(("generate", 100L, "estimate"), (submit.Route.Name, submit.Route.Amount, submit.Route.AmountType));
        var query = Assert.IsType<RouteMatch.Query>(demo.Classify("GET", "/tasks/abc"));
        Assert.Equal(TaskIdSource.PathSegment, query.Route.TaskIdSource);
        Assert.IsType<RouteMatch.Passthrough>(demo.Classify("GET", "/models"));
        Assert.IsType<RouteMatch.Passthrough>(demo.Classify("DELETE", "/tasks/abc"));
    }

    /// <summary>The provider of <see cref="Valid"/>, with passthrough as each row's configuration says.</summary>
    public enum Passthrough
    {
        Default,
        ModelsOnly,
        GetOnModels,
        Off,
        CaseSensitive,
    }

    /// <summary>Issue #18: what each request is, by configuration; <c>405 A,B</c> lists Allow.</summary>
    public static TheoryData<Passthrough, string, string, string> Classifications => new()
    {
        { Passthrough.Default, "POST", "/tasks", "submit" },
        { Passthrough.Default, "POST", "/Tasks/", "submit" },
        { Passthrough.Default, "POST", "//TASKS", "submit" },
        { Passthrough.Default, "GET", "/TASKS/abc/", "query" },
        { Passthrough.Default, "post", "/tasks", "405 DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT" },
        { Passthrough.Default, "GET", "/tasks", "passthrough" },
        { Passthrough.Default, "GET", "/anything/else", "passthrough" },
        { Passthrough.Default, "TRACE", "/models", "405 DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT" },
        { Passthrough.Default, "CONNECT", "/models", "405 DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT" },
        { Passthrough.Default, "PROPFIND", "/models", "405 DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT" },
        { Passthrough.Default, "get", "/models", "405 DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT" },
        { Passthrough.ModelsOnly, "GET", "/Models/", "passthrough" },
        { Passthrough.ModelsOnly, "GET", "/admin", "404" },
        { Passthrough.ModelsOnly, "TRACE", "/tasks", "405 POST" },
        { Passthrough.ModelsOnly, "DELETE", "/tasks/abc", "405 GET" },
        { Passthrough.GetOnModels, "GET", "/models", "passthrough" },
        { Passthrough.GetOnModels, "POST", "/models", "405 GET" },
        { Passthrough.Off, "GET", "/models", "404" },
        { Passthrough.Off, "POST", "/tasks", "submit" },
        { Passthrough.CaseSensitive, "POST", "/Tasks", "404" },
        { Passthrough.CaseSensitive, "POST", "/tasks/", "404" },
        { Passthrough.CaseSensitive, "POST", "/tasks", "submit" },
    };

    [Theory]
    [MemberData(nameof(Classifications))]
    public void Classify_Table(Passthrough configuration, string method, string path, string expected)
    {
        var provider = Valid();
        switch (configuration)
        {
            case Passthrough.ModelsOnly:
                provider.Passthrough.Paths = ["/models"];
                break;
            case Passthrough.GetOnModels:
                provider.Passthrough.Methods = ["get"];
                provider.Passthrough.Paths = ["/models"];
                break;
            case Passthrough.Off:
                provider.Passthrough.Enabled = false;
                break;
            case Passthrough.CaseSensitive:
                provider.Passthrough.Enabled = false;
                provider.PathMatching = new PathMatchingOptions { CaseSensitive = true, TrailingSlashSignificant = true };
                break;
        }

        Assert.True(Create(Options(("demo", provider))).TryGet("demo", out var demo));

        Assert.Equal(expected, demo.Classify(method, path) switch
        {
            RouteMatch.Submit => "submit",
            RouteMatch.Query => "query",
            RouteMatch.Passthrough => "passthrough",
            RouteMatch.MethodNotAllowed notAllowed => "405 " + string.Join(',', notAllowed.Allow),
            RouteMatch.NotFound => "404",
            _ => throw new System.Diagnostics.UnreachableException(),
        });
    }

    [Fact]
    public void TryCreate_DisabledProvider_IsValidatedButNotServed()
    {
        var disabled = Valid();
        disabled.Enabled = false;

        var catalog = Create(Options(("off", disabled)));

        Assert.False(catalog.TryGet("off", out _));
    }

    [Fact]
    public void TryCreate_ServiceNameHost_IsKeptForServiceDiscoveryToResolvePerRequest()
    {
        var provider = Valid();
        provider.BaseUrl = "http://faketasks/v1";

        var catalog = Create(Options(("demo", provider)), new Dictionary<string, string> { ["services:faketasks:http:0"] = "http://127.0.0.1:5090" });

        Assert.True(catalog.TryGet("demo", out var demo));
        Assert.Equal("http://faketasks/v1", demo.Target.DestinationPrefix);
    }

    [Fact]
    public void TryCreate_QueryParameterCredential_HasNoHeader()
    {
        var provider = Valid();
        provider.Credential = new CredentialOptions { QueryParameter = "key", ConfigurationKey = "Secrets:demo" };

        var catalog = Create(Options(("demo", provider)), new Dictionary<string, string> { ["Secrets:demo"] = Secret });

        Assert.True(catalog.TryGet("demo", out var demo));
        Assert.Null(demo.Target.Credential.Header);
        Assert.Equal("key", demo.Target.Credential.QueryParameter);
        Assert.DoesNotContain(Secret, demo.Target.Credential.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, demo.Target.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TryCreate_FileCredential_IsReadTrimmed()
    {
        using var folder = new TempFolder("proxy-credential");
        var file = folder.Combine("key.txt");
        File.WriteAllText(file, "  " + Secret + "\n");
        var provider = Valid();
        provider.Credential = new CredentialOptions { Header = "X-Api-Key", File = file };

        var catalog = Create(Options(("demo", provider)));

        Assert.True(catalog.TryGet("demo", out var demo));
        Assert.Null(demo.Target.Credential.Scheme);
        Assert.Equal(Secret, demo.Target.Credential.HeaderValue);
    }

    /// <summary>Each broken field is reported under its configuration path, and no message carries the secret.</summary>
    public static TheoryData<string, string> BrokenFields => new()
    {
        { "BaseUrl=", "Providers:demo:BaseUrl is required" },
        { "BaseUrl=ftp://x", "Providers:demo:BaseUrl must be an absolute http or https URL" },
        { "BaseUrl=http://x/v1?key=1", "Providers:demo:BaseUrl must not have a query" },
        { "Credential.Environment=", "Providers:demo:Credential needs exactly one of Environment, ConfigurationKey or File" },
        { "Credential.Environment=UNSET_VARIABLE_FOR_TEST", "Providers:demo:Credential:Environment names the variable UNSET_VARIABLE_FOR_TEST, which is not set or empty" },
        { "Credential.Header=Bad Header", "Providers:demo:Credential:Header must be a header name" },
        { "Credential.QueryParameter=key", "Providers:demo:Credential:QueryParameter and Header cannot both be set" },
        { "Billing.DefaultAmount=0", "Providers:demo:Billing:DefaultAmount must be a whole number of minor units between 1 and" },
        { "Billing.AmountType=approx", "Providers:demo:Billing:AmountType must be \"estimate\" or \"fixed\"" },
        { "Billing.ReservationTtl=00:00:30", "Providers:demo:Billing:ReservationTtl must be whole seconds between 1 minute and 1 day" },
        { "Timeout=00:00:00.5", "Providers:demo:Timeout must be between 1 second and 1 hour" },
        { "SubmitRoutes.0.Path=tasks", "Providers:demo:SubmitRoutes:0:Path must start with '/'" },
        { "SubmitRoutes.0.TaskIdPath=taskId", "Providers:demo:SubmitRoutes:0:TaskIdPath must start with '$'" },
        { "SubmitRoutes.0.Amount=-5", "Providers:demo:SubmitRoutes:0:Amount must be a whole number" },
        { "QueryRoutes.0.TaskIdQueryParameter=id", "Providers:demo:QueryRoutes:0 needs exactly one of TaskIdPathSegment, TaskIdQueryParameter or TaskIdBodyPath" },
        { "QueryRoutes.0.SuccessValues=", "Providers:demo:QueryRoutes:0:SuccessValues needs at least one status value" },
        { "QueryRoutes.0.FailureValues=succeeded", "Providers:demo:QueryRoutes:0:FailureValues and SuccessValues both list 'succeeded'" },
        { "QueryRoutes.0.UsagePaths=$..units", "Providers:demo:QueryRoutes:0:UsagePaths:0 has an empty member name" },
        { "QueryRoutes.0.Method=CONNECT", "Providers:demo:QueryRoutes:0:Method must be an HTTP method" },
        { "QueryRoutes.0.Method=TRACE", "Providers:demo:QueryRoutes:0:Method must be an HTTP method" },
        { "Passthrough.Methods=CONNECT", "Providers:demo:Passthrough:Methods:0 must not be CONNECT" },
        { "Passthrough.Methods=trace", "Providers:demo:Passthrough:Methods:0 must not be TRACE" },
        { "Passthrough.Methods=NOT A METHOD", "Providers:demo:Passthrough:Methods:0 must be an HTTP method" },
        { "Passthrough.Paths=models", "Providers:demo:Passthrough:Paths:0 must start with '/'" },
        { "Passthrough.Paths=/a//b", "Providers:demo:Passthrough:Paths:0 must not have an empty segment" },
    };

    [Theory]
    [MemberData(nameof(BrokenFields))]
    public void TryCreate_BrokenField_NamesTheProviderAndTheField(string change, string expected)
    {
        var provider = Valid();
        Break(provider, change);

        var created = ProviderCatalog.TryCreate(Options(("demo", provider)), Lookup(null), Environment, out var catalog, out var problems);

        Assert.False(created);
        Assert.Null(catalog);
        Assert.Contains(problems, p => p.StartsWith(expected, StringComparison.Ordinal));
        Assert.All(problems, p => Assert.DoesNotContain(Secret, p, StringComparison.Ordinal));
    }

    [Fact]
    public void TryCreate_BadProviderName_IsReported()
    {
        Assert.False(ProviderCatalog.TryCreate(Options(("bad name!", Valid())), Lookup(null), Environment, out _, out var problems));
        Assert.Contains(problems, p => p.StartsWith("Providers:bad name! is not a valid provider name", StringComparison.Ordinal));
    }

    [Fact]
    public void TryCreate_SecretWithALineBreak_IsRefusedWithoutShowingIt()
    {
        Assert.False(ProviderCatalog.TryCreate(Options(("demo", Valid())), Lookup(null), name => name == "DEMO_KEY" ? "abc\r\ndef" : null, out _, out var problems));
        var problem = Assert.Single(problems);
        Assert.StartsWith("Providers:demo:Credential the secret contains a control character", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("abc", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCreate_SeveralProblems_AreAllReported()
    {
        var first = Valid();
        first.BaseUrl = null;
        var second = Valid();
        second.Billing.DefaultAmount = 0;

        Assert.False(ProviderCatalog.TryCreate(Options(("a", first), ("b", second)), Lookup(null), Environment, out _, out var problems));
        Assert.Contains(problems, p => p.StartsWith("Providers:a:BaseUrl", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Providers:b:Billing:DefaultAmount", StringComparison.Ordinal));
    }

    internal static ProviderOptions Valid() => new()
    {
        BaseUrl = "http://provider.example/v1",
        Credential = new CredentialOptions { Environment = "DEMO_KEY" },
        Billing = new ProviderBillingOptions { DefaultAmount = 100 },
        SubmitRoutes = [new SubmitRouteOptions { Name = "generate", Path = "/tasks" }],
        QueryRoutes =
        [
            new QueryRouteOptions
            {
                Name = "status",
                Path = "/tasks/*",
                TaskIdPathSegment = 1,
                SuccessValues = ["succeeded"],
                FailureValues = ["failed"],
                UsagePaths = ["$.usage.units"],
            },
        ],
    };

    private static string? Environment(string name) => name == "DEMO_KEY" ? Secret : null;

    private static Func<string, string?> Lookup(IReadOnlyDictionary<string, string>? values) => key => values?.GetValueOrDefault(key);

    private static ProviderCatalog Create(ProvidersOptions options, IReadOnlyDictionary<string, string>? configuration = null)
    {
        Assert.True(ProviderCatalog.TryCreate(options, Lookup(configuration), Environment, out var catalog, out var problems), string.Join("\n", problems));
        return catalog;
    }

    private static ProvidersOptions Options(params (string Name, ProviderOptions Provider)[] providers)
    {
        var options = new ProvidersOptions();
        foreach (var (name, provider) in providers)
        {
            options.Items[name] = provider;
        }

        return options;
    }

    private static void Break(ProviderOptions provider, string change)
    {
        var (field, value) = (change.Split('=', 2)[0], change.Split('=', 2)[1]);
        var empty = value.Length == 0 ? null : value;
        switch (field)
        {
            case "BaseUrl": provider.BaseUrl = empty; break;
            case "Credential.Environment": provider.Credential.Environment = empty; break;
            case "Credential.Header": provider.Credential.Header = empty; break;
            case "Credential.QueryParameter": provider.Credential.Header = "X-Key"; provider.Credential.QueryParameter = value; break;
            case "Billing.DefaultAmount": provider.Billing.DefaultAmount = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "Billing.AmountType": provider.Billing.AmountType = value; break;
            case "Billing.ReservationTtl": provider.Billing.ReservationTtl = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "Timeout": provider.Timeout = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "SubmitRoutes.0.Path": provider.SubmitRoutes![0].Path = value; break;
            case "SubmitRoutes.0.TaskIdPath": provider.SubmitRoutes![0].TaskIdPath = value; break;
            case "SubmitRoutes.0.Amount": provider.SubmitRoutes![0].Amount = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "QueryRoutes.0.TaskIdQueryParameter": provider.QueryRoutes![0].TaskIdQueryParameter = value; break;
            case "QueryRoutes.0.SuccessValues": provider.QueryRoutes![0].SuccessValues = []; break;
            case "QueryRoutes.0.FailureValues": provider.QueryRoutes![0].FailureValues = [value]; break;
            case "QueryRoutes.0.UsagePaths": provider.QueryRoutes![0].UsagePaths = [value]; break;
            case "QueryRoutes.0.Method": provider.QueryRoutes![0].Method = value; break;
            case "Passthrough.Methods": provider.Passthrough.Methods = [value]; break;
            case "Passthrough.Paths": provider.Passthrough.Paths = [value]; break;
            default: throw new ArgumentOutOfRangeException(nameof(change), change, "Unknown field.");
        }
    }
}
