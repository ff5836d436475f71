using System.Text.Json;

namespace Gateway.ServiceDefaults.Actors;

/// <summary>
/// An actor that receives its reminders (<c>PUT /actors/{type}/{id}/method/remind/{name}</c>).
/// Reminders of an actor that does not implement it are answered 404.
/// </summary>
public interface IRemindable
{
    /// <summary>
    /// Handles one firing of <paramref name="reminder"/>, in the actor's turn like any method: state
    /// changes are committed when it returns and dropped when it throws.
    /// </summary>
    /// <returns><see cref="ReminderOutcome.Cancel"/> to have the sidecar delete the reminder (it answers <c>X-DaprReminderCancel: true</c>).</returns>
    Task<ReminderOutcome> ReceiveReminderAsync(ActorReminder reminder, CancellationToken cancellationToken);
}

/// <summary>What a reminder asks of the sidecar after firing.</summary>
public enum ReminderOutcome
{
    /// <summary>Keep firing as registered.</summary>
    Keep = 0,

    /// <summary>Stop: the sidecar deletes the reminder.</summary>
    Cancel = 1,
}

/// <summary>
/// A reminder as the sidecar delivers it: <paramref name="Name"/>, the <paramref name="Data"/>
/// registered with it (null when none), and its <paramref name="DueTime"/> and
/// <paramref name="Period"/> as registered (strings such as <c>0s</c> or <c>1m0s</c>; the period is
/// empty for a reminder that fires once).
/// </summary>
public sealed record ActorReminder(string Name, JsonElement? Data, string DueTime, string Period)
{
    /// <summary>The data read as <typeparamref name="T"/> with <paramref name="options"/> (default: web defaults); default when there is none.</summary>
    public T? GetData<T>(JsonSerializerOptions? options = null) =>
        Data is { } data ? data.Deserialize<T>(options ?? JsonSerializerOptions.Web) : default;
}

/// <summary>The answer of a lookup that may find nothing: <see cref="HasValue"/> false, or true with the <see cref="Value"/>.</summary>
public readonly record struct ConditionalValue<T>(bool HasValue, T? Value);
