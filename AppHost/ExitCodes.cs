namespace Gateway.AppHost;

/// <summary>The AppHost's exit codes, as <c>--help</c> documents them.</summary>
internal static class ExitCodes
{
    /// <summary>Stopped on request (Ctrl+C, SIGTERM) after a good start, or <c>--help</c>.</summary>
    public const int Success = 0;

    /// <summary>Something failed: a port in use, a missing build output, a resource that did not start, become healthy or stay up.</summary>
    public const int Failure = 1;

    /// <summary>The command line is wrong.</summary>
    public const int Usage = 2;

    /// <summary>Stopped on request before every resource was healthy (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
