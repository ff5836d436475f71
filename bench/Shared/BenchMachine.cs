using System.Runtime.InteropServices;

namespace Gateway.Bench;

/// <summary>The machine a benchmark ran on, printed above its results so they can be recorded together.</summary>
internal static class BenchMachine
{
    public static string Describe() => string.Join(
        '\n',
        $"machine: {Environment.ProcessorCount} cores ({Line("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString()}), memory {Line("/proc/meminfo", "MemTotal") ?? "?"}",
        $"runtime: {RuntimeInformation.FrameworkDescription} on {RuntimeInformation.OSDescription}");

    /// <summary>The load averages over 1, 5 and 15 minutes, or "unknown" where /proc has none.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) + " (1, 5, 15 min)" : "unknown";

    private static string? Line(string file, string prefix) =>
        File.Exists(file) ? File.ReadLines(file).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?.Split(':', 2)[1].Trim() : null;
}
