using Gateway.Testing;

namespace Gateway.ServiceDefaults.Tests.Dapr.Support;

/// <summary>
/// Two LocalSidecars sharing a registry: <c>sd-caller</c> (no app; the tests' client talks to it)
/// and <c>sd-callee</c> in front of <see cref="CalleeApp"/>, so calls take the real path
/// client → caller sidecar → callee sidecar → app.
/// </summary>
public sealed class InvocationFixture : IAsyncLifetime
{
    public const string CalleeAppId = "sd-callee";

    private readonly TempFolder _folder = new("sd-invoke");
    private SidecarProcess? _caller;
    private SidecarProcess? _callee;

    public CalleeApp App { get; private set; } = null!;

    public Uri CallerEndpoint => _caller?.HttpEndpoint ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        var resources = Directory.CreateDirectory(_folder.Combine("resources")).FullName;
        var registry = Directory.CreateDirectory(_folder.Combine("registry")).FullName;
        App = await CalleeApp.StartAsync();
        _callee = await SidecarProcess.StartAsync(CalleeAppId, resources, registry, appPort: App.Port);
        await _callee.WaitUntilAsync("/v1.0/healthz", TimeSpan.FromSeconds(30));
        _caller = await SidecarProcess.StartAsync("sd-caller", resources, registry);
    }

    public async Task DisposeAsync()
    {
        if (_caller is not null)
        {
            await _caller.DisposeAsync();
        }

        if (_callee is not null)
        {
            await _callee.DisposeAsync();
        }

        if (App is not null)
        {
            await App.DisposeAsync();
        }

        _folder.Dispose();
    }
}
