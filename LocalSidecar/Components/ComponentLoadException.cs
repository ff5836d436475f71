namespace Gateway.LocalSidecar.Components;

/// <summary>A component file that cannot be used; the message names the file and the problem.</summary>
internal sealed class ComponentLoadException(string message, Exception? innerException = null)
    : Exception(message, innerException);
