using Gateway.FakeOpenAiBackend.Model;
using Gateway.FakeOpenAiBackend.Services;

namespace Gateway.FakeOpenAiBackend.Tests.Services;

public sealed class FakeRepliesTests
{
    [Theory]
    [InlineData("", 0)]
    [InlineData("a", 1)]
    [InlineData("abcd", 1)]
    [InlineData("abcde", 2)]
    [InlineData("You said: Hello fake", 5)]
    public void TokenEstimateOf_IsCharactersOverFourRoundedUp(string text, int tokens) => Assert.Equal(tokens, TokenEstimate.Of(text));

    [Fact]
    public void TokenEstimateOfChat_AddsThreePerMessageAndThreeForThePriming() =>
        Assert.Equal((3 + 1) + (3 + 0) + 3, TokenEstimate.OfChat(["abc", ""]));

    [Theory]
    [InlineData("You said: Hello", new[] { "You", " said:", " Hello" })]
    [InlineData("one", new[] { "one" })]
    [InlineData("a  b", new[] { "a", "  b" })]
    [InlineData(" lead", new[] { " lead" })]
    [InlineData("", new string[0])]
    public void Pieces_SplitBeforeEachSpaceAndJoinBackToTheText(string text, string[] pieces)
    {
        Assert.Equal(pieces, FakeReplies.Pieces(text));
        Assert.Equal(text, string.Concat(FakeReplies.Pieces(text)));
    }

    [Fact]
    public void Chat_EchoesTheLastUserMessageNTimes()
    {
        var request = new ChatRequest("m", [new("user", "first"), new("user", "last"), new("assistant", "ignored")], StreamRequest.Off, null, 3);

        var answer = FakeReplies.Chat(request, "id", 42);

        Assert.Equal(["You said: last", "You said: last", "You said: last"], answer.Choices.Select(c => c.Text));
        Assert.Equal([0, 1, 2], answer.Choices.Select(c => c.Index));
        Assert.Equal(new TokenUsage((3 + 2) + (3 + 1) + (3 + 2) + 3, 3 * 4), answer.Usage);
        Assert.Equal(("id", "m", 42L), (answer.Id, answer.Model, answer.Created));
    }

    [Fact]
    public void Chat_WithoutUserMessage_AnswersTheEmptyPromptReply()
    {
        var answer = FakeReplies.Chat(new ChatRequest("m", [new("system", "Be nice.")], StreamRequest.Off, null, 1), "id", 0);

        Assert.Equal(FakeReplies.EmptyPromptReply, answer.Choices.Single().Text);
    }

    [Theory]
    [InlineData(5, "You said: Hello fake", "stop")]
    [InlineData(4, "You said: Hello ", "length")]
    [InlineData(1, "You ", "length")]
    public void Chat_MaxTokens_CutsAtFourCharactersPerToken(int maxTokens, string text, string finishReason)
    {
        var answer = FakeReplies.Chat(new ChatRequest("m", [new("user", "Hello fake")], StreamRequest.Off, maxTokens, 1), "id", 0);

        Assert.Equal(new AnswerChoice(0, text, finishReason), answer.Choices.Single());
        Assert.Equal(TokenEstimate.Of(text), answer.Usage.CompletionTokens);
    }

    [Fact]
    public void Completion_NumbersChoicesPromptByPrompt()
    {
        var request = new CompletionRequest("m", [new("a", 1), new("b", 7)], StreamRequest.Off, 16, 2);

        var answer = FakeReplies.Completion(request, "id", 0);

        Assert.Equal(["0:You said: a", "1:You said: a", "2:You said: b", "3:You said: b"], answer.Choices.Select(c => $"{c.Index}:{c.Text}"));
        Assert.Equal(8, answer.Usage.PromptTokens);
    }
}
