namespace Gateway.PoolService.Services;

/// <summary>
/// Lease ids are version 7 GUIDs made from the grant time (<see cref="Guid.CreateVersion7(DateTimeOffset)"/>),
/// so an outcome report tells the policy when its lease was granted without any stored lease.
/// </summary>
internal static class LeaseIds
{
    /// <summary>The grant time in a lease id (millisecond precision); false when it is not a version 7 GUID.</summary>
    public static bool TryGrantTime(string leaseId, out DateTimeOffset grantedAt)
    {
        grantedAt = default;
        if (!Guid.TryParse(leaseId, out var guid) || guid.Version != 7)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        guid.TryWriteBytes(bytes, bigEndian: true, out _);
        long milliseconds = 0;
        for (var i = 0; i < 6; i++)
        {
            milliseconds = (milliseconds << 8) | bytes[i];
        }

        grantedAt = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        return true;
    }
}
