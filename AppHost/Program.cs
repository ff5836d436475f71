using Gateway.AppHost;
using Gateway.AppHost.Configuration;
using Gateway.AppHost.Processes;
using Gateway.AppHost.Resources;

if (!AppHostOptionsParser.TryParse(args, out var options, out var usageError))
{
    Console.Error.WriteLine($"error: {usageError} See --help.");
    return ExitCodes.Usage;
}

if (options.ShowHelp)
{
    Console.Out.WriteLine(Usage.Text(GatewayServices.All));
    return ExitCodes.Success;
}

// Registered before anything starts, so that no signal can leave a child behind.
using var signals = new StopSignals();
var projects = LaunchableProjects.FromAssembly(typeof(GatewaySuite).Assembly);
if (!SuitePlanner.TryPlan(options, GatewayServices.All, projects, out var plan, out var planError))
{
    Console.Error.WriteLine($"[apphost] error: {planError}");
    return ExitCodes.Failure;
}

var output = new ConsoleOutput([.. plan.Resources.Select(r => r.Name)], ConsoleOutput.ShouldColor(options.NoColor));
using var probeClient = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
var suite = new GatewaySuite(plan, options.StartupTimeout, options.ShutdownTimeout, output, TimeProvider.System);
return await suite.RunAsync(signals, probeClient).ConfigureAwait(false);
