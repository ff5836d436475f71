using System.Text.Json.Serialization;

namespace Gateway.BillingService.Model;

/// <summary>
/// <c>reserved → finalized | released | expired</c>; the three right-hand states are terminal.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReservationStatus>))]
internal enum ReservationStatus
{
    /// <summary>The amount is held on the account.</summary>
    [JsonStringEnumMemberName("reserved")]
    Reserved = 0,

    /// <summary>Charged: the hold returned, the final amount taken from the balance.</summary>
    [JsonStringEnumMemberName("finalized")]
    Finalized = 1,

    /// <summary>Released by the caller (or finalized with 0): the hold returned, nothing charged.</summary>
    [JsonStringEnumMemberName("released")]
    Released = 2,

    /// <summary>Not resolved before its expiry: the hold returned, nothing charged.</summary>
    [JsonStringEnumMemberName("expired")]
    Expired = 3,
}
