using System.Diagnostics;
using System.Globalization;

namespace Gateway.EndToEnd.Tests.Support;

/// <summary>A process as Linux knows it: the pid plus its start time, so a recycled pid is never mistaken for it.</summary>
public readonly record struct ProcessIdentity(int Pid, long StartTime);

/// <summary>Reads <c>/proc</c> to find a process's children and tell whether a recorded process still runs.</summary>
public static class ProcessTable
{
    public static IReadOnlyList<ProcessIdentity> ChildrenOf(int parentPid)
    {
        var children = new List<ProcessIdentity>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && TryReadStat(pid, out _, out var parent, out var startTime)
                && parent == parentPid)
            {
                children.Add(new ProcessIdentity(pid, startTime));
            }
        }

        return children;
    }

    /// <summary>Every process whose environment holds <paramref name="name"/>=<paramref name="value"/>, e.g. the suite one app host started.</summary>
    public static IReadOnlyList<ProcessIdentity> WithEnvironment(string name, string value)
    {
        var entry = name + "=" + value;
        var found = new List<ProcessIdentity>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && TryReadEnvironment(pid, out var environment)
                && environment.Contains(entry, StringComparer.Ordinal)
                && Identify(pid) is { } process)
            {
                found.Add(process);
            }
        }

        return found;
    }

    public static ProcessIdentity? Identify(int pid) =>
        TryReadStat(pid, out _, out _, out var startTime) ? new ProcessIdentity(pid, startTime) : null;

    /// <summary>Still there and not a zombie (a dead child not yet reaped by its parent or by init).</summary>
    public static bool IsRunning(ProcessIdentity process) =>
        TryReadStat(process.Pid, out var state, out _, out var startTime) && startTime == process.StartTime && state is not ('Z' or 'X');

    /// <summary>Kills the process and its descendants if it still runs; for test cleanup.</summary>
    public static void Kill(ProcessIdentity process)
    {
        if (!IsRunning(process))
        {
            return;
        }

        try
        {
            using var running = Process.GetProcessById(process.Pid);
            running.Kill(entireProcessTree: true);
        }
        catch (ArgumentException)
        {
            // Exited meanwhile.
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }

    private static bool TryReadEnvironment(int pid, out string[] environment)
    {
        try
        {
            environment = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/environ").Split('\0');
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            environment = [];
            return false;
        }
    }

    private static bool TryReadStat(int pid, out char state, out int parentPid, out long startTime)
    {
        state = '?';
        parentPid = 0;
        startTime = 0;
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }

        // "pid (comm) state ppid ... starttime ...": comm may contain spaces and parentheses, so split after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        state = fields[0][0];
        return int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out parentPid)
            && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out startTime);
    }
}
