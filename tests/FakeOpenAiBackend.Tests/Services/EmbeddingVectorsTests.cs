using Gateway.FakeOpenAiBackend.Services;

namespace Gateway.FakeOpenAiBackend.Tests.Services;

public sealed class EmbeddingVectorsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(1536)]
    public void For_AnyLength_IsAUnitVectorOfThatLength(int dimensions)
    {
        var vector = EmbeddingVectors.For("text", dimensions);

        Assert.Equal(dimensions, vector.Length);
        Assert.Equal(1.0, Math.Sqrt(vector.Sum(x => (double)x * x)), 4);
    }

    [Fact]
    public void For_SameText_SameVector_OtherText_OtherVector()
    {
        Assert.Equal(EmbeddingVectors.For("a", 8), EmbeddingVectors.For("a", 8));
        Assert.NotEqual(EmbeddingVectors.For("a", 8), EmbeddingVectors.For("b", 8));
    }

    [Fact]
    public void ToBase64_IsLittleEndianFloat32() =>
        Assert.Equal("AACAPwAAAMA=", EmbeddingVectors.ToBase64([1f, -2f]));
}
