using Gateway.PoolService.Model;

namespace Gateway.PoolService.Services;

/// <summary>What an edit of the registry came to.</summary>
internal enum EditStatus
{
    Created,
    Updated,
    Unchanged,
    Deleted,

    /// <summary>The entry to change or delete does not exist.</summary>
    NotFound,

    /// <summary>The input breaks a rule (see <see cref="RegistryEdit.Errors"/>); nothing was written.</summary>
    Invalid,

    /// <summary>The edit contradicts the registry (e.g. deleting a pool that still has backends); nothing was written.</summary>
    Conflict,

    /// <summary>Concurrent writers kept winning; nothing was written by this edit.</summary>
    Contention,
}

/// <summary>
/// The decision of a pure edit function: the document to store (<see cref="Next"/>, null when
/// nothing is to be written) and the status to report. After <c>BackendRegistry.EditAsync</c>,
/// <see cref="Document"/> is the registry as it stands.
/// </summary>
internal sealed record RegistryEdit(EditStatus Status, RegistryDocument? Next = null, IDictionary<string, string[]>? Errors = null, string? Detail = null)
{
    public RegistryDocument Document { get; init; } = RegistryDocument.Empty;

    public static RegistryEdit Invalid(string field, string message) =>
        new(EditStatus.Invalid, Errors: new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });
}
