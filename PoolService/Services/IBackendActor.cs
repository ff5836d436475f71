using Dapr.Actors;
using Gateway.PoolService.Model;

namespace Gateway.PoolService.Services;

/// <summary>
/// The methods of the <c>Backend</c> actor (<see cref="BackendActor"/>), called without remoting
/// (<see cref="Infrastructure.BackendActors"/>): the wire names are these C# names, the bodies plain JSON.
/// </summary>
/// <remarks>
/// Public, with the messages and what they carry, because the SDK's host side reads a method's
/// answer through a <c>dynamic</c> await, which cannot see a <c>Task&lt;T&gt;</c> of an internal
/// <c>T</c> (it binds to the plain <see cref="Task"/> and fails: "Cannot implicitly convert type
/// 'void' to 'object'"). The arguments could stay internal; the whole contract is public for one rule.
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
