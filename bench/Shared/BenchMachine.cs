using System.Runtime.InteropServices;

namespace Gateway.Bench;

/// <summary>The machine a benchmark ran on, printed above its results so they can be recorded together.</summary>
internal static class BenchMachine
{
    public static string Describe() => string.Join(
        '\n',
        $"machine: {Environment.ProcessorCount} cores ({Line("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString()}), memory {Line("/proc/meminfo", "MemTotal") ?? "?"}",
        $"runtime: {RuntimeInformation.FrameworkDescription} on {RuntimeInformation.OSDescription}");

    private static string? Line(string file, string prefix) =>
        File.Exists(file) ? File.ReadLines(file).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?.Split(':', 2)[1].Trim() : null;
}
