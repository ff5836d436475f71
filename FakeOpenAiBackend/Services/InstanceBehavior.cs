using System.Diagnostics.CodeAnalysis;
using Gateway.FakeOpenAiBackend.Model;

namespace Gateway.FakeOpenAiBackend.Services;

/// <summary>What <c>GET /_fake/behavior</c> shows: the behaviour text and how many requests it still applies to (null: until cleared).</summary>
internal sealed record InstanceBehaviorState(string? Behavior, int? Remaining);

/// <summary>
/// The behaviour set through <c>POST /_fake/behavior</c>, applied to every <c>/v1</c> request that
/// asks for none itself, optionally only to the next N of them (e.g. two 429s, then normal answers).
/// </summary>
internal sealed class InstanceBehavior
{
    private readonly Lock _lock = new();
    private FakeBehavior? _behavior;
    private string? _text;
    private int? _remaining;

    public InstanceBehaviorState State
    {
        get
        {
            lock (_lock)
            {
                return new InstanceBehaviorState(_text, _remaining);
            }
        }
    }

    /// <summary>Applies <paramref name="behavior"/> to the next <paramref name="times"/> requests, or to every request until cleared when null.</summary>
    public void Set(FakeBehavior behavior, string text, int? times)
    {
        ArgumentNullException.ThrowIfNull(behavior);
        ArgumentOutOfRangeException.ThrowIfLessThan(times ?? 1, 1);
        lock (_lock)
        {
            (_behavior, _text, _remaining) = (behavior, text, times);
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            (_behavior, _text, _remaining) = (null, null, null);
        }
    }

    /// <summary>Takes the behaviour for one request, counting it against the remaining times.</summary>
    public bool TryTake([NotNullWhen(true)] out FakeBehavior? behavior, [NotNullWhen(true)] out string? text)
    {
        lock (_lock)
        {
            if (_behavior is not { } taken || _text is not { } takenText)
            {
                (behavior, text) = (null, null);
                return false;
            }

            (behavior, text) = (taken, takenText);

            if (_remaining is { } remaining)
            {
                _remaining = remaining - 1;
                if (_remaining == 0)
                {
                    (_behavior, _text, _remaining) = (null, null, null);
                }
            }

            return true;
        }
    }
}
