using Gateway.FakeOpenAiBackend.Model;

namespace Gateway.FakeOpenAiBackend.Tests.Model;

public sealed class FakeBehaviorTests
{
    public static TheoryData<string, string, int, int?, int, int, int?> Valid => new()
    {
        // text, fault, status, Retry-After, cut after events, delay ms, chunk delay ms
        { "ok", "None", 200, null, 0, 0, null },
        { "429", "Error", 429, null, 0, 0, null },
        { "429:3", "Error", 429, 3, 0, 0, null },
        { "503:0", "Error", 503, 0, 0, 0, null },
        { "400", "Error", 400, null, 0, 0, null },
        { "599", "Error", 599, null, 0, 0, null },
        { "hang", "Hang", 200, null, 0, 0, null },
        { "hang:0", "Stall", 200, null, 0, 0, null },
        { "hang:4", "Stall", 200, null, 4, 0, null },
        { "reset", "Reset", 200, null, 0, 0, null },
        { "drop", "Drop", 200, null, 1, 0, null },
        { "drop:5", "Drop", 200, null, 5, 0, null },
        { "delay:250", "None", 200, null, 0, 250, null },
        { "delay:100, delay:50", "None", 200, null, 0, 150, null },
        { "chunk-delay:0", "None", 200, null, 0, 0, 0 },
        { "DELAY:10,Chunk-Delay:20,HANG:2", "Stall", 200, null, 2, 10, 20 },
        { "delay:200,429:1", "Error", 429, 1, 0, 200, null },
        { "ok,drop:2,chunk-delay:5", "Drop", 200, null, 2, 0, 5 },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void TryParse_ValidText_ReadsEveryStep(string text, string fault, int status, int? retryAfter, int cut, int delayMs, int? chunkDelayMs)
    {
        Assert.True(FakeBehavior.TryParse(text, out var behavior));

        Assert.Equal(
            new FakeBehavior(Enum.Parse<Fault>(fault), status, retryAfter, cut, TimeSpan.FromMilliseconds(delayMs), chunkDelayMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null),
            behavior);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("nope")]
    [InlineData("200")]
    [InlineData("399")]
    [InlineData("600")]
    [InlineData("429,503")]
    [InlineData("hang,reset")]
    [InlineData("drop:1,drop:2")]
    [InlineData("delay")]
    [InlineData("delay:")]
    [InlineData("delay:-1")]
    [InlineData("delay:1.5")]
    [InlineData("chunk-delay")]
    [InlineData("reset:1")]
    [InlineData("ok:1")]
    [InlineData("429:x")]
    [InlineData("429,")]
    public void TryParse_InvalidText_IsRefused(string? text)
    {
        Assert.False(FakeBehavior.TryParse(text, out var behavior));
        Assert.Null(behavior);
    }

    [Theory]
    [InlineData("fake-429", "Error")]
    [InlineData("FAKE-hang", "Hang")]
    [InlineData("fake-delay:10", "None")]
    public void FromModelName_FakeBehaviorName_ReadsTheBehavior(string model, string fault) =>
        Assert.Equal(Enum.Parse<Fault>(fault), FakeBehavior.FromModelName(model)?.Fault);

    [Theory]
    [InlineData(null)]
    [InlineData("gpt-4o")]
    [InlineData("fake-model")]
    [InlineData("my-fake-429")]
    public void FromModelName_OrdinaryName_IsNull(string? model) => Assert.Null(FakeBehavior.FromModelName(model));
}
