using Gateway.LocalSidecar.Hosting;

namespace Gateway.LocalSidecar.Tests.Hosting;

public class DaprdFlagsTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void Parse_AcceptsGoFlagForms()
    {
        var (options, error) = DaprdFlags.Parse(["-app-id", "billing", "--app-port=5081", "--dapr-http-port", "3501", "--resources-path", "comp", "--log-level", "debug", "--app-channel-address", "10.0.0.1"], NoEnvironment);

        Assert.Null(error);
        Assert.Equal("billing", options!.AppId);
        Assert.Equal(5081, options.AppPort);
        Assert.Equal(3501, options.HttpPort);
        Assert.Equal("comp", options.ResourcesPath);
        Assert.Equal("debug", options.LogLevel);
        Assert.Equal("10.0.0.1", options.AppChannelAddress);
    }

    [Fact]
    public void Parse_Defaults_AreDaprds()
    {
        var (options, _) = DaprdFlags.Parse(["--app-id", "a"], NoEnvironment);

        Assert.Null(options!.AppPort);
        Assert.Equal(3500, options.HttpPort);
        Assert.Equal(50001, options.GrpcPort);
        Assert.Equal(["127.0.0.1"], options.ListenAddresses);
        Assert.Equal("127.0.0.1", options.AppChannelAddress);
        Assert.Equal("info", options.LogLevel);
        Assert.Null(options.ApiToken);
    }

    [Fact]
    public void Parse_ReadsTheGrpcPortAndListenAddresses()
    {
        var (options, error) = DaprdFlags.Parse(["--app-id", "a", "--dapr-grpc-port", "50011", "--dapr-listen-addresses", "127.0.0.1, localhost,::1"], NoEnvironment);

        Assert.Null(error);
        Assert.Equal(50011, options!.GrpcPort);
        Assert.Equal(["127.0.0.1", "localhost", "::1"], options.ListenAddresses);
    }

    [Fact]
    public void Parse_IgnoresDaprdFlagsItDoesNotNeed()
    {
        var (options, error) = DaprdFlags.Parse(["--app-id", "a", "--dapr-internal-grpc-port", "50002", "--metrics-port", "9090", "--enable-metrics", "--placement-host-address", "localhost:50005"], NoEnvironment);

        Assert.Null(error);
        Assert.Equal("a", options!.AppId);
    }

    [Fact]
    public void Parse_ReadsTokensAndRegistryFromTheEnvironment()
    {
        var environment = new Dictionary<string, string> { ["DAPR_API_TOKEN"] = "t1", ["APP_API_TOKEN"] = "t2", ["LOCALSIDECAR_REGISTRY"] = "/tmp/reg" };

        var (options, _) = DaprdFlags.Parse(["--app-id", "a"], name => environment.GetValueOrDefault(name));

        Assert.Equal("t1", options!.ApiToken);
        Assert.Equal("t2", options.AppApiToken);
        Assert.Equal("/tmp/reg", options.RegistryPath);
    }

    [Theory]
    [InlineData(new string[0], "--app-id is required")]
    [InlineData(new[] { "--app-id", "a", "--bogus", "1" }, "flag provided but not defined: -bogus")]
    [InlineData(new[] { "--app-id", "a", "--app-port", "http" }, "invalid value \"http\" for flag -app-port")]
    [InlineData(new[] { "--app-id", "a", "--dapr-http-port", "70000" }, "invalid value \"70000\" for flag -dapr-http-port")]
    [InlineData(new[] { "--app-id", "a", "--dapr-grpc-port", "0" }, "invalid value \"0\" for flag -dapr-grpc-port")]
    [InlineData(new[] { "--app-id", "a", "--dapr-listen-addresses", "127.0.0.1,not-an-ip" }, "invalid value \"not-an-ip\" for flag -dapr-listen-addresses")]
    [InlineData(new[] { "--app-id" }, "flag needs an argument: -app-id")]
    [InlineData(new[] { "--app-id", "a", "--log-level", "loud" }, "invalid value \"loud\" for flag -log-level")]
    [InlineData(new[] { "stray" }, "unexpected argument 'stray'")]
    public void Parse_RejectsBadCommandLines(string[] args, string expected)
    {
        var (options, error) = DaprdFlags.Parse(args, NoEnvironment);

        Assert.Null(options);
        Assert.Equal(expected, error);
    }
}
