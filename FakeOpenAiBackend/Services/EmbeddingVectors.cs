using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.FakeOpenAiBackend.Services;

/// <summary>
/// Deterministic unit vectors: components drawn from SHA-256 of the input, so the same text always
/// gets the same embedding and different texts almost surely different ones.
/// </summary>
internal static class EmbeddingVectors
{
    public static float[] For(string text, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        var vector = new float[dimensions];
        const int perBlock = SHA256.HashSizeInBytes / sizeof(ushort);
        Span<byte> block = stackalloc byte[SHA256.HashSizeInBytes];
        for (var start = 0; start < dimensions; start += perBlock)
        {
            SHA256.HashData(Encoding.UTF8.GetBytes($"{start}|{text}"), block);
            for (var i = 0; i < perBlock && start + i < dimensions; i++)
            {
                vector[start + i] = (BinaryPrimitives.ReadUInt16LittleEndian(block[(i * 2)..]) / 32767.5f) - 1f;
            }
        }

        var length = MathF.Sqrt(vector.Sum(x => x * x));
        for (var i = 0; i < dimensions; i++)
        {
            vector[i] = length > 0 ? vector[i] / length : 1f / MathF.Sqrt(dimensions);
        }

        return vector;
    }

    /// <summary>OpenAI's <c>encoding_format: "base64"</c>: the float32 values, little-endian, in base64.</summary>
    public static string ToBase64(float[] vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        var bytes = new byte[vector.Length * sizeof(float)];
        for (var i = 0; i < vector.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
        }

        return Convert.ToBase64String(bytes);
    }
}
