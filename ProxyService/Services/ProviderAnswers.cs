using System.Text;
using System.Text.Json;
using Gateway.ProxyService.Model;

namespace Gateway.ProxyService.Services;

/// <summary>What a submit's answer means.</summary>
internal abstract record SubmitVerdict
{
    private SubmitVerdict()
    {
    }

    public sealed record Accepted(string TaskId) : SubmitVerdict;

    /// <summary>The submit failed; <paramref name="Reason"/> is the release reason.</summary>
    public sealed record Failed(string Reason) : SubmitVerdict;
}

/// <summary>What a query's answer says about the task.</summary>
internal abstract record TaskVerdict
{
    private TaskVerdict()
    {
    }

    /// <summary>Not terminal (or not readable: an error status, not JSON, no status value).</summary>
    public sealed record Pending : TaskVerdict
    {
        public static Pending Instance { get; } = new();
    }

    /// <summary>A success status; <paramref name="Amount"/> is what to charge, in minor units.</summary>
    public sealed record Succeeded(long Amount, string Status) : TaskVerdict;

    /// <summary>A failure status; <paramref name="Reason"/> is the release reason.</summary>
    public sealed record Failed(string Reason) : TaskVerdict;
}

/// <summary>Reads providers' answers as section 5a prescribes. Pure: no I/O, no clock.</summary>
internal static class ProviderAnswers
{
    /// <summary>The longest reason sent to billing, a provider's code included.</summary>
    public const int MaxReasonLength = 64;

    public const string NoTaskId = "no_task_id";
    public const string ProviderUnreachable = "provider_unreachable";
    public const string ResponseTooLarge = "response_too_large";

    /// <summary>
    /// HTTP 400 and above: <c>error_http_{status}</c>. Otherwise the task id at the route's path
    /// accepts it; without one, the provider's own error code (the first of
    /// <paramref name="errorCodePaths"/> with a value) is the reason, else <c>no_task_id</c>.
    /// </summary>
    public static SubmitVerdict ReadSubmit(CachedResponse answer, SubmitRoute route, IReadOnlyList<JsonPath> errorCodePaths)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(errorCodePaths);
        if (answer.StatusCode >= 400)
        {
            return new SubmitVerdict.Failed($"error_http_{answer.StatusCode}");
        }

        using var document = TryParse(answer.Body);
        if (document is null)
        {
            return new SubmitVerdict.Failed(NoTaskId);
        }

        if (route.TaskIdPath.SelectText(document.RootElement) is { Length: > 0 } taskId)
        {
            return new SubmitVerdict.Accepted(taskId);
        }

        foreach (var path in errorCodePaths)
        {
            if (path.SelectText(document.RootElement) is { Length: > 0 } code)
            {
                return new SubmitVerdict.Failed(Sanitize(code));
            }
        }

        return new SubmitVerdict.Failed(NoTaskId);
    }

    /// <summary>
    /// A 2xx JSON answer whose status value is one of the route's success or failure values is
    /// terminal. A success is charged: a fixed reservation its amount; an estimate the usage summed
    /// over the route's usage paths times <paramref name="usageMultiplier"/>, rounded up (the
    /// reserved amount when the route has no usage paths or the answer has no usage figure).
    /// </summary>
    public static TaskVerdict ReadStatus(CachedResponse answer, QueryRoute route, BillingHold hold, decimal usageMultiplier)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(hold);
        if (answer.StatusCode is < 200 or >= 300)
        {
            return TaskVerdict.Pending.Instance;
        }

        using var document = TryParse(answer.Body);
        if (document is null || route.StatusPath.SelectText(document.RootElement) is not { } status)
        {
            return TaskVerdict.Pending.Instance;
        }

        if (route.FailureValues.Contains(status))
        {
            return new TaskVerdict.Failed("task_" + Sanitize(status));
        }

        if (!route.SuccessValues.Contains(status))
        {
            return TaskVerdict.Pending.Instance;
        }

        return new TaskVerdict.Succeeded(Charge(document.RootElement, route, hold, usageMultiplier), status);
    }

    /// <summary>A provider's text made safe as a billing reason: <c>A-Z a-z 0-9 _ . : -</c>, others as '_', at most <see cref="MaxReasonLength"/>.</summary>
    public static string Sanitize(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(Math.Min(value.Length, MaxReasonLength));
        foreach (var c in value.Take(MaxReasonLength))
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '-' ? c : '_');
        }

        return builder.Length == 0 ? "provider_error" : builder.ToString();
    }

    private static long Charge(JsonElement root, QueryRoute route, BillingHold hold, decimal usageMultiplier)
    {
        if (hold.AmountType == "fixed" || route.UsagePaths.Count == 0)
        {
            return hold.Amount;
        }

        decimal total = 0;
        var found = false;
        foreach (var path in route.UsagePaths)
        {
            if (path.TrySum(root, out var sum))
            {
                total += sum;
                found = true;
            }
        }

        if (!found)
        {
            return hold.Amount;
        }

        try
        {
            var amount = decimal.Ceiling(total * usageMultiplier);
            return amount <= 0 ? 0 : amount >= ProviderCatalog.MaxAmount ? ProviderCatalog.MaxAmount : (long)amount;
        }
        catch (OverflowException)
        {
            return ProviderCatalog.MaxAmount;
        }
    }

    private static JsonDocument? TryParse(byte[] body)
    {
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
