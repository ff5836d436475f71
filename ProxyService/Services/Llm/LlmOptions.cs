using Microsoft.Extensions.Options;

namespace Gateway.ProxyService.Services.Llm;

/// <summary>
/// Settings of the OpenAI-compatible routes (<c>/v1/*</c>), bound from the <c>Llm</c> section
/// (e.g. <c>Llm__MaxAttempts=5</c>) and validated when the host starts.
/// </summary>
internal sealed class LlmOptions
{
    public const string SectionName = "Llm";

    /// <summary>The Dapr app id of PoolService. Default: <c>pool</c>.</summary>
    public string PoolAppId { get; set; } = "pool";

    /// <summary>Backends tried for one request (the first one included) before answering 503. Default: 3. Between 1 and 20.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// The largest request body accepted on any <c>/v1</c> route (Kestrel stops reading past it);
    /// a larger one is answered with 413 and forwarded nowhere. Default: 4 MiB. Between 1 KiB and 64 MiB.
    /// </summary>
    public int MaxRequestBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>The largest non-streamed answer read from a backend; a larger one counts as a server error. Default: 16 MiB. Between 1 KiB and 256 MiB.</summary>
    public int MaxResponseBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Time allowed for one call to PoolService (a lease or an outcome report). Default: 5 s. Between 100 ms and 1 minute.</summary>
    public TimeSpan PoolTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The problems with these values, empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        List<string> problems = [];
        if (string.IsNullOrWhiteSpace(PoolAppId))
        {
            problems.Add("PoolAppId is required");
        }
        else if (Uri.CheckHostName(PoolAppId) != UriHostNameType.Dns)
        {
            problems.Add($"PoolAppId must be a host name (the app is called as http://{{app id}}/...), not '{PoolAppId}'");
        }

        if (MaxAttempts is < 1 or > 20)
        {
            problems.Add($"MaxAttempts must be between 1 and 20, not {MaxAttempts}");
        }

        if (MaxRequestBodyBytes is < 1024 or > 64 * 1024 * 1024)
        {
            problems.Add($"MaxRequestBodyBytes must be between 1 KiB and 64 MiB, not {MaxRequestBodyBytes}");
        }

        if (MaxResponseBodyBytes is < 1024 or > 256 * 1024 * 1024)
        {
            problems.Add($"MaxResponseBodyBytes must be between 1 KiB and 256 MiB, not {MaxResponseBodyBytes}");
        }

        if (PoolTimeout < TimeSpan.FromMilliseconds(100) || PoolTimeout > TimeSpan.FromMinutes(1))
        {
            problems.Add($"PoolTimeout must be between 100 ms and 1 minute, not {PoolTimeout}");
        }

        return problems;
    }
}

internal sealed class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems.Select(p => $"{LlmOptions.SectionName}: {p}"));
    }
}
