using Gateway.AppHost;
using Gateway.AppHost.Configuration;
using Gateway.AppHost.Processes;
using Gateway.AppHost.Resources;

if (!AppHostOptionsParser.TryParse(args, out var options, out var usageError))
{
    Console.Error.WriteLine($"error: {usageError} See --help.");
    return ExitCodes.Usage;
}

var services = GatewayServices.All;
if (options.ShowHelp)
{
    Console.Out.WriteLine(Usage.Text(services));
    return ExitCodes.Success;
}

// Registered before anything starts, so that no signal can leave a child behind.
using var signals = new StopSignals();
var output = new ConsoleOutput(SuitePlanner.ResourceNames(services), ConsoleOutput.ShouldColor(options.NoColor));
var projects = LaunchableProjects.FromAssembly(typeof(GatewaySuite).Assembly);
if (!SuitePlanner.TryPlan(options, services, projects, out var plan, out var planError))
{
    output.Error(planError);
    return ExitCodes.Failure;
}

using var probeClient = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
var suite = new GatewaySuite(plan, options.StartupTimeout, options.ShutdownTimeout, output, TimeProvider.System);
return await suite.RunAsync(signals, probeClient).ConfigureAwait(false);
