using System.Runtime.InteropServices;

namespace Gateway.AppHost.Processes;

/// <summary>
/// Turns SIGINT (Ctrl+C), SIGTERM and SIGHUP into an orderly stop instead of the runtime's default
/// exit, which would leave the children running. A second signal means "kill now".
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _kill = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _received;

    public StopSignals()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal),
        ];
    }

    public CancellationToken StopRequested => _stop.Token;

    public CancellationToken KillRequested => _kill.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stop.Dispose();
        _kill.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _received) == 1)
        {
            _stop.Cancel();
        }
        else
        {
            _kill.Cancel();
        }
    }
}
