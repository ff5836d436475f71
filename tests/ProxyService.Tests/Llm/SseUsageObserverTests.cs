using System.Text;
using Gateway.ProxyService.Services.Llm;

namespace Gateway.ProxyService.Tests.Llm;

public sealed class SseUsageObserverTests
{
    private const string Role = "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n";
    private const string Hello = "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}],\"usage\":null}\n\n";
    private const string World = "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" world!\"}}],\"usage\":null}\n\n";
    private const string Usage = "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":3,\"total_tokens\":14}}\n\n";
    private const string Done = "data: [DONE]\n\n";

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task UsageChunk_NotAskedFor_IsDroppedWhateverTheWriteSizes_AndStillRead(int writeSize)
    {
        var (output, observer) = await RunAsync(Role + Hello + World + Usage + Done, forwardUsage: false, writeSize);

        Assert.Equal(Role + Hello + World + Done, output);
        Assert.Equal(11, observer.PromptTokens);
        Assert.Equal(3, observer.CompletionTokens);
        Assert.Equal("Hello world!".Length, observer.CompletionCharacters);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    public async Task UsageChunk_AskedFor_PassesUnchanged(int writeSize)
    {
        var (output, observer) = await RunAsync(Role + Hello + Usage + Done, forwardUsage: true, writeSize);

        Assert.Equal(Role + Hello + Usage + Done, output);
        Assert.Equal(11, observer.PromptTokens);
    }

    [Fact]
    public async Task CrLfLines_CommentsAndOddData_PassThrough()
    {
        var input = ": keep-alive\r\n\r\nevent: ping\r\ndata: not json\r\n\r\n" + Usage.Replace("\n", "\r\n", StringComparison.Ordinal) + "data: {broken\r\n\r\n" + Done;

        var (output, observer) = await RunAsync(input, forwardUsage: false, 5);

        Assert.Equal(": keep-alive\r\n\r\nevent: ping\r\ndata: not json\r\n\r\ndata: {broken\r\n\r\n" + Done, output);
        Assert.Equal(3, observer.CompletionTokens);
    }

    [Fact]
    public async Task GeneratedText_CountedOverChoicesCompletionsAndToolCalls()
    {
        var input =
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"abc\"}},{\"index\":1,\"delta\":{\"refusal\":\"no\"}}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"}}]}}]}\n\n" +
            "data: {\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"four\"}]}\n\n" + Done;

        var (output, observer) = await RunAsync(input, forwardUsage: false, 3);

        Assert.Equal(input, output);
        Assert.Equal(3 + 2 + "{\"a\":1}".Length + 4, observer.CompletionCharacters);
        Assert.Null(observer.PromptTokens);
    }

    [Fact]
    public async Task OverlongLine_GoesThroughUnread()
    {
        var huge = "data: {\"choices\":[{\"delta\":{\"content\":\"" + new string('x', 100_000) + "\"}}]}\n\n";

        var (output, observer) = await RunAsync(huge + Hello + Done, forwardUsage: false, 1000);

        Assert.Equal(huge + Hello + Done, output);
        Assert.Equal("Hello".Length, observer.CompletionCharacters);
    }

    [Fact]
    public async Task CompleteLines_AreWrittenAtOnce_APartialOneWaitsForItsEnd()
    {
        var inner = new MemoryStream();
        var observer = new SseUsageObserver(inner, forwardUsageChunk: false);

        await observer.WriteAsync(Encoding.UTF8.GetBytes(Hello + "data: {\"cho"));
        Assert.Equal(Hello, Encoding.UTF8.GetString(inner.ToArray()));

        await observer.WriteAsync(Encoding.UTF8.GetBytes("ices\":[]}"));
        await observer.FinishAsync(CancellationToken.None);
        Assert.Equal(Hello + "data: {\"choices\":[]}", Encoding.UTF8.GetString(inner.ToArray()));
    }

    private static async Task<(string Output, SseUsageObserver Observer)> RunAsync(string input, bool forwardUsage, int writeSize)
    {
        var bytes = Encoding.UTF8.GetBytes(input);
        var inner = new MemoryStream();
        var observer = new SseUsageObserver(inner, forwardUsage);
        for (var offset = 0; offset < bytes.Length; offset += writeSize)
        {
            await observer.WriteAsync(bytes.AsMemory(offset, Math.Min(writeSize, bytes.Length - offset)));
        }

        await observer.FinishAsync(CancellationToken.None);
        return (Encoding.UTF8.GetString(inner.ToArray()), observer);
    }
}
