using Dapr.Actors;
using Gateway.PoolService.Model;

namespace Gateway.PoolService.Services;

/// <summary>
/// The methods of the <c>Backend</c> actor (<see cref="BackendActor"/>), called through typed
/// proxies with JSON remoting (<see cref="Infrastructure.BackendActors"/>); the wire names are
/// these C# names.
/// </summary>
/// <remarks>
/// Public, with its messages and what they carry: the SDK generates typed proxies and their
/// serialisers at run time against the interface, in an assembly of its own. (Non-remoting calls
/// need it too: the SDK's host side reads their answer through a <c>dynamic</c> await, which binds
/// a <c>Task&lt;T&gt;</c> of an internal <c>T</c> to the plain <see cref="Task"/> and fails with
/// "Cannot implicitly convert type 'void' to 'object'".)
/// </remarks>
public interface IBackendActor : IActor
{
    /// <summary>One lease decision: granted (and stored) or denied, with the status after it.</summary>
    Task<AcquireAnswer> AcquireAsync(AcquireRequest request, CancellationToken cancellationToken);

    /// <summary>One upstream call's outcome, with the status after it.</summary>
    Task<ReportAnswer> ReportAsync(ReportRequest request, CancellationToken cancellationToken);

    /// <summary>One health probe's result; the status after it.</summary>
    Task<BackendStatus> ReportProbeAsync(ProbeRequest request, CancellationToken cancellationToken);

    /// <summary>The status as the actor knows it; writes nothing.</summary>
    Task<BackendStatus> GetStatusAsync(BackendLimits limits, CancellationToken cancellationToken);
}
