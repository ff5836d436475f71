using Gateway.PoolService.Infrastructure;
using Gateway.PoolService.Model;
using Gateway.ServiceDefaults.Dapr;
using Microsoft.Extensions.Options;

namespace Gateway.PoolService.Services;

/// <summary>
/// The registry document in the state store, and this replica's copy of it. Reads are served from
/// the copy while it is younger than <see cref="PoolOptions.RegistryRefreshInterval"/>, so edits
/// made through other replicas show up within that; edits are conditional writes on the document's
/// ETag, re-read and re-decided when another writer won.
/// </summary>
internal sealed class BackendRegistry(
    StateStoreClient state,
    IOptions<PoolOptions> options,
    [FromKeyedServices(PoolClock.Key)] TimeProvider clock,
    TimeProvider timers,
    ILogger<BackendRegistry> logger) : IDisposable
{
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly SemaphoreSlim _edit = new(1, 1);
    private readonly TaskCompletionSource _seeded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Copy? _copy;

    private string StoreName => options.Value.StoreName;

    /// <summary>Completes once configuration has been merged into the stored registry (see <see cref="RegistrySeeder"/>).</summary>
    public Task Seeded => _seeded.Task;

    public void MarkSeeded() => _seeded.TrySetResult();

    /// <summary>The registry as of at most one refresh interval ago; waits for the first seeding.</summary>
    /// <exception cref="global::Dapr.DaprException">The store could not be read.</exception>
    public async ValueTask<RegistryView> GetAsync(CancellationToken cancellationToken)
    {
        await _seeded.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (Fresh() is { } view)
        {
            return view;
        }

        // One read per replica at a time; the others wait for it rather than repeat it.
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh() is { } refreshed)
            {
                return refreshed;
            }

            var entry = await state.GetStateAsync<RegistryDocument>(StoreName, StateKeys.Registry, cancellationToken).ConfigureAwait(false);
            return Publish(entry?.Value ?? RegistryDocument.Empty);
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>
    /// Applies <paramref name="edit"/> (a pure function of the stored document and the time) and
    /// stores its result with the ETag it was read with; when another writer got there first (or
    /// the write's outcome is unknown), reads again and re-applies, up to
    /// <see cref="PoolOptions.MaxWriteAttempts"/> times. Edits through one replica take turns, so
    /// only other replicas' edits can conflict; after a conflict the next attempt waits a short,
    /// random, growing time so that replicas do not collide again in step.
    /// </summary>
    /// <exception cref="global::Dapr.DaprException">The store could not be read, or refused the request itself.</exception>
    public Task<RegistryEdit> EditAsync(Func<RegistryDocument, DateTimeOffset, RegistryEdit> edit, CancellationToken cancellationToken) =>
        EditAsync(edit, waitForSeed: true, cancellationToken);

    /// <summary>
    /// <see cref="EditAsync(Func{RegistryDocument, DateTimeOffset, RegistryEdit}, CancellationToken)"/>;
    /// <paramref name="waitForSeed"/> false only for the seeding itself.
    /// </summary>
    public async Task<RegistryEdit> EditAsync(Func<RegistryDocument, DateTimeOffset, RegistryEdit> edit, bool waitForSeed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(edit);
        if (waitForSeed)
        {
            await _seeded.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        await _edit.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await EditInTurnAsync(edit, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _edit.Release();
        }
    }

    public void Dispose()
    {
        _refresh.Dispose();
        _edit.Dispose();
    }

    private async Task<RegistryEdit> EditInTurnAsync(Func<RegistryDocument, DateTimeOffset, RegistryEdit> edit, CancellationToken cancellationToken)
    {
        var attempts = options.Value.MaxWriteAttempts;
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 25) * attempt), timers, cancellationToken).ConfigureAwait(false);
            }

            var entry = await state.GetStateAsync<RegistryDocument>(StoreName, StateKeys.Registry, cancellationToken).ConfigureAwait(false);
            var current = entry?.Value ?? RegistryDocument.Empty;
            var now = clock.GetUtcNow();
            var decision = edit(current, now);
            if (decision.Next is null)
            {
                Publish(current);
                return decision with { Document = current };
            }

            var next = decision.Next with { Version = current.Version + 1, UpdatedAt = now };
            var written = await state.TrySaveStateAsync(StoreName, StateKeys.Registry, next, entry?.ETag, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (written.IsWritten)
            {
                Publish(next);
                PoolLog.RegistryWritten(logger, next.Version, decision.Status.ToString());
                return decision with { Next = next, Document = next };
            }

            PoolLog.RegistryWriteNotConfirmed(logger, attempt, written.Failure.ToString());
        }

        return new RegistryEdit(EditStatus.Contention);
    }

    private RegistryView? Fresh() =>
        _copy is { } copy && timers.GetElapsedTime(copy.ReadAt) < options.Value.RegistryRefreshInterval ? copy.View : null;

    /// <summary>Replaces the copy unless it holds a newer version (a slower concurrent read must not undo an edit).</summary>
    private RegistryView Publish(RegistryDocument document)
    {
        var held = _copy;
        if (held is not null && held.View.Document.Version > document.Version)
        {
            return held.View;
        }

        var view = held is not null && held.View.Document.Version == document.Version && held.View.Document.UpdatedAt == document.UpdatedAt
            ? held.View
            : new RegistryView(document);
        _copy = new Copy(view, timers.GetTimestamp());
        return view;
    }

    private sealed record Copy(RegistryView View, long ReadAt);
}
