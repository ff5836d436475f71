using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Gateway.FakeOpenAiBackend.Model;

/// <summary>What the fake does instead of a plain, complete answer.</summary>
internal enum Fault
{
    /// <summary>Answers normally.</summary>
    None,

    /// <summary>Answers <see cref="FakeBehavior.Status"/> with OpenAI's error shape (and <c>Retry-After</c> for 429).</summary>
    Error,

    /// <summary>Never answers (before any byte), until the client gives up.</summary>
    Hang,

    /// <summary>Starts the answer, then stalls after <see cref="FakeBehavior.CutAfterEvents"/> SSE events or half the JSON body.</summary>
    Stall,

    /// <summary>Closes the connection without answering.</summary>
    Reset,

    /// <summary>Starts the answer, then closes the connection after <see cref="FakeBehavior.CutAfterEvents"/> SSE events or half the JSON body.</summary>
    Drop,
}

/// <summary>
/// A misbehaviour, written as comma-separated steps (see FakeOpenAiBackend/README.md):
/// <c>ok</c>, <c>delay:{ms}</c>, <c>chunk-delay:{ms}</c>, <c>{status}</c>, <c>{status}:{retryAfterSeconds}</c>,
/// <c>hang</c>, <c>hang:{events}</c>, <c>reset</c>, <c>drop</c>, <c>drop:{events}</c>.
/// Delays combine with any one fault, e.g. <c>delay:200,429:3</c>.
/// </summary>
internal sealed record FakeBehavior(
    Fault Fault = Fault.None,
    int Status = 200,
    int? RetryAfterSeconds = null,
    int CutAfterEvents = 0,
    TimeSpan Delay = default,
    TimeSpan? ChunkDelay = null)
{
    public static FakeBehavior Normal { get; } = new();

    /// <summary>The prefix of model names that carry a behaviour, e.g. <c>fake-429</c> or <c>fake-delay:500</c>.</summary>
    public const string ModelPrefix = "fake-";

    public const string Grammar =
        "comma-separated steps: ok, delay:{ms}, chunk-delay:{ms}, {status 400-599}[:{retryAfterSeconds}], hang[:{events}], reset, drop[:{events}]";

    public static bool TryParse(string? text, [NotNullWhen(true)] out FakeBehavior? behavior)
    {
        behavior = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var parsed = Normal;
        foreach (var step in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var (name, argument) = step.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0
                ? (step[..colon], step[(colon + 1)..])
                : (step, null);
            int? number = argument is null ? null
                : int.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
                : -1;
            if (number < 0)
            {
                return false;
            }

            FakeBehavior? next = name.ToLowerInvariant() switch
            {
                "ok" when number is null => parsed,
                "delay" when number is { } ms => parsed with { Delay = parsed.Delay + TimeSpan.FromMilliseconds(ms) },
                "chunk-delay" when number is { } ms => parsed with { ChunkDelay = TimeSpan.FromMilliseconds(ms) },
                "hang" => WithFault(parsed, number is null ? Fault.Hang : Fault.Stall, cut: number ?? 0),
                "reset" when number is null => WithFault(parsed, Fault.Reset),
                "drop" => WithFault(parsed, Fault.Drop, cut: number ?? 1),
                _ when int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var status) && status is >= 400 and <= 599 =>
                    WithFault(parsed, Fault.Error, status, number),
                _ => null,
            };
            if (next is null)
            {
                return false;
            }

            parsed = next;
        }

        behavior = parsed;
        return true;
    }

    /// <summary>The behaviour a model name asks for (<c>fake-{behaviour}</c>), or null for an ordinary model name.</summary>
    public static FakeBehavior? FromModelName(string? model) =>
        model is not null && model.StartsWith(ModelPrefix, StringComparison.OrdinalIgnoreCase) && TryParse(model[ModelPrefix.Length..], out var behavior)
            ? behavior
            : null;

    // Two faults in one behaviour are a mistake in the test, not something to guess about.
    private static FakeBehavior? WithFault(FakeBehavior parsed, Fault fault, int status = 200, int? retryAfterSeconds = null, int cut = 0) =>
        parsed.Fault == Fault.None
            ? parsed with { Fault = fault, Status = status, RetryAfterSeconds = retryAfterSeconds, CutAfterEvents = cut }
            : null;
}
