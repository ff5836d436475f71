using System.Security.Cryptography;
using Gateway.PoolService.Services;

namespace Gateway.PoolService.Tests.Services;

public sealed class ApiKeyCipherTests
{
    private const string Key = "sk-test-0123456789abcdefghijklmnop";
    private readonly ApiKeyCipher _cipher = new(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void Seal_ThenOpen_ReturnsTheKey_AndTheEnvelopeIsVersionedWithoutThePlaintext()
    {
        var sealedKey = _cipher.Seal(Key, "backend-a");

        Assert.True(_cipher.TryOpen(sealedKey, "backend-a", out var opened));
        Assert.Equal(Key, opened);
        Assert.StartsWith("v1:", sealedKey, StringComparison.Ordinal);
        Assert.Equal(4, sealedKey.Split(':').Length);
        Assert.DoesNotContain("0123456789", sealedKey, StringComparison.Ordinal);
    }

    [Fact]
    public void Seal_TheSameKeyTwice_UsesAFreshNonceEachTime()
    {
        var first = _cipher.Seal(Key, "backend-a");
        var second = _cipher.Seal(Key, "backend-a");

        Assert.NotEqual(first, second);
        Assert.NotEqual(first.Split(':')[1], second.Split(':')[1]);
    }

    [Fact]
    public void TryOpen_ForAnotherBackend_UnderAnotherKey_OrTampered_Fails()
    {
        var sealedKey = _cipher.Seal(Key, "backend-a");
        var other = new ApiKeyCipher(RandomNumberGenerator.GetBytes(32));
        var parts = sealedKey.Split(':');
        var flipped = parts[2][0] == 'A' ? 'B' + parts[2][1..] : 'A' + parts[2][1..];

        Assert.False(_cipher.TryOpen(sealedKey, "backend-b", out _));
        Assert.False(other.TryOpen(sealedKey, "backend-a", out _));
        Assert.False(_cipher.TryOpen($"{parts[0]}:{parts[1]}:{flipped}:{parts[3]}", "backend-a", out _));
        Assert.False(_cipher.TryOpen("v2:" + string.Join(':', parts[1..]), "backend-a", out _));
        Assert.False(_cipher.TryOpen("v1:not-base64!:x:y", "backend-a", out _));
        Assert.False(new ApiKeyCipher(null).TryOpen(sealedKey, "backend-a", out _));
    }

    [Theory]
    [InlineData("sk-proj-abcdefghijklmnopqrstuvwxyz", "sk-…wxyz")]
    [InlineData("0123456789abcdef", "012…cdef")]
    [InlineData("0123456789abcde", "…")]
    [InlineData("short", "…")]
    public void Mask_ShowsThreeAndFourCharacters_OnlyOfKeysLongEnoughToHideNine(string key, string expected) =>
        Assert.Equal(expected, ApiKeyCipher.Mask(key));

    [Theory]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", true)]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", true)]
    [InlineData("__________________________________________8", true)]
    [InlineData("AAAA", false)]
    [InlineData("not base64 at all!", false)]
    [InlineData("", false)]
    public void TryParseKey_AcceptsBase64OfExactly32Bytes(string text, bool valid)
    {
        Assert.Equal(valid, ApiKeyCipher.TryParseKey(text, out var key, out var problem));
        Assert.Equal(valid ? 32 : 0, key.Length);
        Assert.Equal(valid, problem.Length == 0);
        Assert.DoesNotContain(text.Length > 0 ? text : "\0", problem, StringComparison.Ordinal);
    }
}
