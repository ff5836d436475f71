namespace Gateway.BillingService.Services;

/// <summary>The bounds money and strings are validated against. Amounts are minor units.</summary>
internal static class LedgerLimits
{
    /// <summary>
    /// The largest amount one request may credit, reserve or charge: 10^15 minor units (ten
    /// trillion in a currency with cents). Anything larger is a bug or an attack, not a price.
    /// </summary>
    public const long MaxAmount = 1_000_000_000_000_000;

    /// <summary>
    /// The bound on an account's running figures (balance, credited, charged, held): 10^18, far
    /// inside <see cref="long"/>, so no sum the ledger computes can overflow.
    /// </summary>
    public const long MaxTotal = 1_000_000_000_000_000_000;

    /// <summary>Account and reservation ids: 1 to 128 of <c>A-Z a-z 0-9 _ . : -</c>, starting with a letter or digit.</summary>
    public const int MaxIdLength = 128;

    /// <summary>Provider names.</summary>
    public const int MaxProviderLength = 64;

    /// <summary>Operation, reference and reason: UTF-16 code units, no control characters.</summary>
    public const int MaxTextLength = 256;

    /// <summary>Idempotency keys: printable ASCII without spaces.</summary>
    public const int MaxIdempotencyKeyLength = 200;

    /// <summary>Request bodies larger than this are refused before parsing.</summary>
    public const int MaxBodyBytes = 64 * 1024;
}
