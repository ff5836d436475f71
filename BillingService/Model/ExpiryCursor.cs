namespace Gateway.BillingService.Model;

/// <summary>
/// The state document <c>expiry|cursor</c>: every bucket that starts before <paramref name="Next"/>
/// has been swept, its reservations are all terminal, and its documents are deleted.
/// </summary>
internal sealed record ExpiryCursor(DateTimeOffset Next, DateTimeOffset UpdatedAt);
