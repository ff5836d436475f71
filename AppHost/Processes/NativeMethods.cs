using System.Runtime.InteropServices;

namespace Gateway.AppHost.Processes;

/// <summary>
/// kill(2): .NET can receive POSIX signals (PosixSignalRegistration) but not send them, and a
/// graceful stop of an ASP.NET Core child means SIGTERM, which its host turns into an orderly shutdown.
/// </summary>
internal static partial class NativeMethods
{
    private const int SigTerm = 15;

    /// <returns>false when the process no longer exists (or cannot be signalled).</returns>
    public static bool TrySendTerminate(int processId) => Kill(processId, SigTerm) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
