using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Gateway.BillingService.Apis;
using Gateway.BillingService.Infrastructure;
using Gateway.BillingService.Model;

namespace Gateway.BillingService.Services;

/// <summary>
/// Turns request bodies into commands, or into the list of what is wrong (field name → messages)
/// for a 400 answer. Bounds are in <see cref="LedgerLimits"/>.
/// </summary>
internal static partial class BillingValidation
{
    public const string EstimateName = "estimate";
    public const string FixedName = "fixed";

    /// <summary>True for an account or reservation id: 1 to 128 of <c>A-Z a-z 0-9 _ . : -</c>, starting with a letter or digit.</summary>
    public static bool IsId(string? value) => value is not null && IdPattern().IsMatch(value);

    public static bool TryReserve(ReserveRequest request, BillingOptions options, [NotNullWhen(true)] out ReserveCommand? command, out Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        errors = [];
        CheckId(errors, "accountId", request.AccountId);
        CheckText(errors, "reference", request.Reference, required: true);
        CheckProvider(errors, request.Provider);
        CheckText(errors, "operation", request.Operation, required: true);
        CheckAmount(errors, "amount", request.Amount, minimum: 1);
        var amountType = request.AmountType switch
        {
            EstimateName => AmountType.Estimate,
            FixedName => AmountType.Fixed,
            null => Fail(errors, "amountType", "is required: \"estimate\" or \"fixed\""),
            _ => Fail(errors, "amountType", "must be \"estimate\" or \"fixed\""),
        };
        var maxTtl = (long)options.MaxReservationTtl.TotalSeconds;
        if (request.TtlSeconds is { } ttl && (ttl < 1 || ttl > maxTtl))
        {
            Add(errors, "ttlSeconds", $"must be between 1 and {maxTtl.ToString(CultureInfo.InvariantCulture)}");
        }

        CheckIdempotencyKey(errors, request.IdempotencyKey, required: false);
        if (errors.Count > 0)
        {
            command = null;
            return false;
        }

        var canonical = string.Join('\n',
            "reserve/v1",
            request.AccountId,
            request.Reference,
            request.Provider,
            request.Operation,
            request.Amount!.Value.ToString(CultureInfo.InvariantCulture),
            request.AmountType,
            request.TtlSeconds?.ToString(CultureInfo.InvariantCulture) ?? "");
        command = new ReserveCommand(
            request.AccountId!,
            request.Reference!,
            request.Provider!,
            request.Operation!,
            request.Amount.Value,
            amountType,
            request.TtlSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : options.DefaultReservationTtl,
            Sha256Hex(canonical),
            request.IdempotencyKey is { } key ? Sha256Hex(key) : null);
        return true;
    }

    public static bool TryFinalize(FinalizeRequest request, [NotNullWhen(true)] out FinalizeCommand? command, out Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(request);
        errors = [];
        CheckAmount(errors, "amount", request.Amount, minimum: 0);
        CheckText(errors, "reason", request.Reason, required: false);
        command = errors.Count == 0 ? new FinalizeCommand(request.Amount!.Value, request.Reason) : null;
        return command is not null;
    }

    public static bool TryRelease(ReleaseRequest request, [NotNullWhen(true)] out ReleaseCommand? command, out Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(request);
        errors = [];
        CheckText(errors, "reason", request.Reason, required: true);
        command = errors.Count == 0 ? new ReleaseCommand(request.Reason) : null;
        return command is not null;
    }

    public static bool TryCredit(string accountId, CreditRequest request, [NotNullWhen(true)] out CreditCommand? command, out Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(request);
        errors = [];
        CheckId(errors, "accountId", accountId);
        CheckAmount(errors, "amount", request.Amount, minimum: 1);
        CheckIdempotencyKey(errors, request.IdempotencyKey, required: true);
        if (errors.Count > 0)
        {
            command = null;
            return false;
        }

        var canonical = string.Join('\n', "credit/v1", accountId, request.Amount!.Value.ToString(CultureInfo.InvariantCulture));
        command = new CreditCommand(accountId, request.Amount.Value, Sha256Hex(canonical), Sha256Hex(request.IdempotencyKey!));
        return true;
    }

    public static bool TryCreditLimit(string accountId, CreditLimitRequest request, [NotNullWhen(true)] out CreditLimitCommand? command, out Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(request);
        errors = [];
        CheckId(errors, "accountId", accountId);
        CheckAmount(errors, "creditLimit", request.CreditLimit, minimum: 0);
        command = errors.Count == 0 ? new CreditLimitCommand(accountId, request.CreditLimit!.Value) : null;
        return command is not null;
    }

    /// <summary>Checks a route id; <paramref name="field"/> names it in the errors.</summary>
    public static bool TryId(string field, string? value, out Dictionary<string, string[]> errors)
    {
        errors = [];
        CheckId(errors, field, value);
        return errors.Count == 0;
    }

    private static void CheckId(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            Add(errors, field, "is required");
        }
        else if (!IsId(value))
        {
            Add(errors, field, $"must be 1 to {LedgerLimits.MaxIdLength} characters of A-Z a-z 0-9 _ . : -, starting with a letter or digit");
        }
    }

    private static void CheckProvider(Dictionary<string, string[]> errors, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            Add(errors, "provider", "is required");
        }
        else if (value.Length > LedgerLimits.MaxProviderLength || !IdPattern().IsMatch(value))
        {
            Add(errors, "provider", $"must be 1 to {LedgerLimits.MaxProviderLength} characters of A-Z a-z 0-9 _ . : -, starting with a letter or digit");
        }
    }

    private static void CheckText(Dictionary<string, string[]> errors, string field, string? value, bool required)
    {
        if (value is null)
        {
            if (required)
            {
                Add(errors, field, "is required");
            }

            return;
        }

        // Free text, often relayed from a provider's answer (a release reason), so any script is
        // accepted; control characters are not, as they would end up in logs and traces.
        if (value.Length is 0 or > LedgerLimits.MaxTextLength || value.Any(char.IsControl))
        {
            Add(errors, field, $"must be 1 to {LedgerLimits.MaxTextLength} characters without control characters");
        }
    }

    private static void CheckIdempotencyKey(Dictionary<string, string[]> errors, string? value, bool required)
    {
        if (value is null)
        {
            if (required)
            {
                Add(errors, "idempotencyKey", "is required");
            }

            return;
        }

        if (value.Length is 0 or > LedgerLimits.MaxIdempotencyKeyLength || !value.All(c => c is > ' ' and <= '~'))
        {
            Add(errors, "idempotencyKey", $"must be 1 to {LedgerLimits.MaxIdempotencyKeyLength} printable ASCII characters without spaces");
        }
    }

    private static void CheckAmount(Dictionary<string, string[]> errors, string field, long? value, long minimum)
    {
        if (value is null)
        {
            Add(errors, field, "is required");
        }
        else if (value < minimum || value > LedgerLimits.MaxAmount)
        {
            Add(errors, field, string.Create(CultureInfo.InvariantCulture, $"must be a whole number of minor units between {minimum} and {LedgerLimits.MaxAmount}"));
        }
    }

    private static AmountType Fail(Dictionary<string, string[]> errors, string field, string message)
    {
        Add(errors, field, message);
        return default;
    }

    private static void Add(Dictionary<string, string[]> errors, string field, string message) =>
        errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];

    internal static string Sha256Hex(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
