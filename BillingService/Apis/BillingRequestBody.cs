using Gateway.BillingService.Services;
using Gateway.ServiceDefaults.Http;

namespace Gateway.BillingService.Apis;

/// <summary>
/// Every billing request body is read by one <see cref="JsonBodyReader"/>: at most
/// <see cref="LedgerLimits.MaxBodyBytes"/>, strict web JSON (numbers only from JSON numbers, no
/// field given twice; amounts are integers by <see cref="MinorUnitsConverter"/>).
/// </summary>
internal static class BillingRequestBody
{
    private static readonly JsonBodyReader s_reader = new(new JsonBodyOptions { MaxBytes = LedgerLimits.MaxBodyBytes });

    /// <summary>The body as <typeparamref name="T"/>, or the refusal to answer 400 with.</summary>
    public static Task<JsonBodyResult<T>> ReadAsync<T>(HttpContext context)
        where T : class => s_reader.ReadAsync<T>(context.Request, context.RequestAborted);
}
