using System.Collections.Immutable;

namespace Gateway.PoolService.Model;

/// <summary>
/// A sliding-window log of grants, compressed into slots: every grant made in one slot of time
/// (<c>slotWidth</c>, 1 s by default) shares one entry that expires <c>window</c> after the slot's
/// end. A grant therefore counts for at least the whole window and at most one slot longer, so the
/// limit holds over every rolling window exactly (never more grants than allowed), at the price
/// of freeing capacity up to one slot later than an uncompressed log would; the state stays small
/// (at most window / slotWidth + 1 entries) whatever the limit.
/// </summary>
/// <param name="Slots">Entries by ascending expiry.</param>
internal sealed record RateWindow(ImmutableArray<RateSlot> Slots)
{
    public static RateWindow Empty { get; } = new(ImmutableArray<RateSlot>.Empty);

    /// <summary>Grants that still count at <paramref name="now"/>.</summary>
    public int CountAt(DateTimeOffset now)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var count = 0;
        foreach (var slot in Slots)
        {
            if (slot.ExpiresAtMs > nowMs)
            {
                count += slot.Count;
            }
        }

        return count;
    }

    /// <summary>When the oldest grant still counting at <paramref name="now"/> stops counting; null when none counts.</summary>
    public DateTimeOffset? NextExpiryAfter(DateTimeOffset now)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        foreach (var slot in Slots)
        {
            if (slot.ExpiresAtMs > nowMs)
            {
                return DateTimeOffset.FromUnixTimeMilliseconds(slot.ExpiresAtMs);
            }
        }

        return null;
    }

    /// <summary>
    /// The earliest time from <paramref name="now"/> on at which fewer than <paramref name="limit"/>
    /// grants count: <paramref name="now"/> itself when that is already so. Walks the slots in expiry
    /// order, so a limit lowered below what was already granted is waited out in full.
    /// </summary>
    public DateTimeOffset FreeAt(DateTimeOffset now, int limit)
    {
        var count = CountAt(now);
        if (count < limit)
        {
            return now;
        }

        var nowMs = now.ToUnixTimeMilliseconds();
        foreach (var slot in Slots)
        {
            if (slot.ExpiresAtMs <= nowMs)
            {
                continue;
            }

            count -= slot.Count;
            if (count < limit)
            {
                return DateTimeOffset.FromUnixTimeMilliseconds(slot.ExpiresAtMs);
            }
        }

        // A limit of zero is never free; the last expiry is the best estimate there is.
        return Slots.IsEmpty ? now : DateTimeOffset.FromUnixTimeMilliseconds(Slots[^1].ExpiresAtMs);
    }

    /// <summary>This window with the expired slots dropped and one grant made at <paramref name="now"/>.</summary>
    public RateWindow Add(DateTimeOffset now, TimeSpan window, TimeSpan slotWidth)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var widthMs = (long)slotWidth.TotalMilliseconds;
        var expires = (nowMs - (((nowMs % widthMs) + widthMs) % widthMs)) + widthMs + (long)window.TotalMilliseconds;
        var kept = Slots.RemoveAll(s => s.ExpiresAtMs <= nowMs);
        if (kept.Length > 0 && kept[^1].ExpiresAtMs >= expires)
        {
            // Same slot, or a clock that went back (another host after rebalancing): joining the
            // latest slot keeps the grant counted for at least the window.
            return new(kept.SetItem(kept.Length - 1, kept[^1] with { Count = kept[^1].Count + 1 }));
        }

        return new(kept.Add(new RateSlot(expires, 1)));
    }
}

/// <summary><paramref name="Count"/> grants that stop counting at <paramref name="ExpiresAtMs"/> (Unix milliseconds).</summary>
internal readonly record struct RateSlot(long ExpiresAtMs, int Count);
