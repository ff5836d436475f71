using Gateway.LocalSidecar.Components;
using Gateway.LocalSidecar.Hosting;

var (options, error) = DaprdFlags.Parse(args, Environment.GetEnvironmentVariable);
if (options is null)
{
    await Console.Error.WriteLineAsync($"localsidecar: {error}").ConfigureAwait(false);
    return 2;
}

try
{
    var components = ComponentLoader.Load(options.ResourcesPath, Environment.GetEnvironmentVariable)
        .Where(c => c.IsInScopeFor(options.AppId))
        .ToList();
    await using var app = await SidecarHost.BuildAsync(options, components, CancellationToken.None).ConfigureAwait(false);
    await SidecarHost.StartAsync(app, CancellationToken.None).ConfigureAwait(false);
    await app.WaitForShutdownAsync().ConfigureAwait(false);
    return 0;
}
catch (ComponentLoadException e)
{
    await Console.Error.WriteLineAsync($"localsidecar: fatal: {e.Message}").ConfigureAwait(false);
    return 1;
}
catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    await Console.Error.WriteLineAsync($"localsidecar: fatal: {e.Message}").ConfigureAwait(false);
    return 1;
}
