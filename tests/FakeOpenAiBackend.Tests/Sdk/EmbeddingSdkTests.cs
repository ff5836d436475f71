using Gateway.FakeOpenAiBackend.Tests.Support;
using OpenAI.Embeddings;

namespace Gateway.FakeOpenAiBackend.Tests.Sdk;

/// <summary>The official OpenAI .NET SDK's EmbeddingClient against the fake.</summary>
public sealed class EmbeddingSdkTests(FakeBackendFixture fake) : IClassFixture<FakeBackendFixture>
{
    [Fact]
    public async Task GenerateEmbedding_ReturnsADeterministicUnitVectorOfTheDefaultLength()
    {
        var run = FakeBackendFixture.NewRun();
        var client = fake.Client(run).GetEmbeddingClient("text-embedding-3-small");

        OpenAIEmbedding hello = await client.GenerateEmbeddingAsync("hello");
        OpenAIEmbedding again = await client.GenerateEmbeddingAsync("hello");
        OpenAIEmbedding world = await client.GenerateEmbeddingAsync("world");

        var vector = hello.ToFloats().ToArray();
        Assert.Equal(64, vector.Length);
        Assert.Equal(1.0, Math.Sqrt(vector.Sum(x => (double)x * x)), 4);
        Assert.Equal(vector, again.ToFloats().ToArray());
        Assert.NotEqual(vector, world.ToFloats().ToArray());

        // The SDK asks for base64 unless told otherwise, so that is the format the fake must get right.
        var requests = await fake.RequestsAsync(run);
        Assert.All(requests, r => Assert.Equal("base64", r.GetProperty("body").GetProperty("encoding_format").GetString()));
    }

    [Fact]
    public async Task GenerateEmbeddings_WithDimensions_ReturnsOneVectorPerInputAndTheUsage()
    {
        var client = fake.Client(FakeBackendFixture.NewRun()).GetEmbeddingClient("text-embedding-3-small");

        OpenAIEmbeddingCollection embeddings = await client.GenerateEmbeddingsAsync(["first input", "second"], new EmbeddingGenerationOptions { Dimensions = 8 });

        Assert.Equal([0, 1], embeddings.Select(e => e.Index));
        Assert.All(embeddings, e => Assert.Equal(8, e.ToFloats().Length));
        Assert.Equal("text-embedding-3-small", embeddings.Model);
        // 11 characters → 3 tokens, 6 → 2.
        Assert.Equal(5, embeddings.Usage.InputTokenCount);
        Assert.Equal(5, embeddings.Usage.TotalTokenCount);
    }
}
