using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.PoolService.Services;

/// <summary>
/// Seals backend API keys for the state store with AES-256-GCM: a fresh random 12-byte nonce per
/// value, a 16-byte tag, and the backend id as associated data, so a sealed key copied onto another
/// backend does not open. The envelope is versioned, <c>v1:{nonce}:{ciphertext}:{tag}</c> (base64url),
/// so the scheme can change without guessing what old values are.
/// </summary>
internal sealed class ApiKeyCipher
{
    public const string Version = "v1";
    public const int KeyBytes = 32;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const string AssociatedDataPrefix = "gateway-pool-backend:";

    private readonly byte[]? _key;

    /// <param name="key">The 32-byte key; null when none is configured (nothing can be sealed or opened).</param>
    public ApiKeyCipher(byte[]? key)
    {
        if (key is not null && key.Length != KeyBytes)
        {
            throw new ArgumentException($"The key must be {KeyBytes} bytes.", nameof(key));
        }

        _key = key;
    }

    /// <summary>Whether a key is configured.</summary>
    public bool HasKey => _key is not null;

    /// <summary>
    /// Reads the configured key: base64 (standard or url-safe) of exactly 32 bytes. The problem, if
    /// any, never repeats the value.
    /// </summary>
    public static bool TryParseKey(string text, out byte[] key, out string problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        key = [];
        problem = "";
        var normalised = text.Trim().Replace('-', '+').Replace('_', '/');
        normalised = normalised.PadRight(normalised.Length + ((4 - (normalised.Length % 4)) % 4), '=');
        var buffer = new byte[normalised.Length];
        if (!Convert.TryFromBase64String(normalised, buffer, out var written))
        {
            problem = "is not base64";
            return false;
        }

        if (written != KeyBytes)
        {
            problem = $"must decode to {KeyBytes} bytes, not {written} (generate one with: openssl rand -base64 32)";
            return false;
        }

        key = buffer[..written];
        return true;
    }

    /// <summary>Seals <paramref name="apiKey"/> for <paramref name="backendId"/>.</summary>
    /// <exception cref="InvalidOperationException">No key is configured (start-up validation prevents this when keys are stored).</exception>
    public string Seal(string apiKey, string backendId)
    {
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        ArgumentException.ThrowIfNullOrEmpty(backendId);
        var key = _key ?? throw new InvalidOperationException("No encryption key is configured (Pool:EncryptionKey).");
        var plaintext = Encoding.UTF8.GetBytes(apiKey);
        var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[TagBytes];
        using (var aes = new AesGcm(key, TagBytes))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData(backendId));
        }

        CryptographicOperations.ZeroMemory(plaintext);
        return $"{Version}:{Base64Url.EncodeToString(nonce)}:{Base64Url.EncodeToString(ciphertext)}:{Base64Url.EncodeToString(tag)}";
    }

    /// <summary>
    /// Opens a value sealed for <paramref name="backendId"/>; false when no key is configured, the
    /// envelope is malformed or of an unknown version, or it was sealed under another key or for
    /// another backend (the tag does not verify).
    /// </summary>
    public bool TryOpen(string sealedKey, string backendId, out string apiKey)
    {
        ArgumentNullException.ThrowIfNull(sealedKey);
        ArgumentNullException.ThrowIfNull(backendId);
        apiKey = "";
        var parts = sealedKey.Split(':');
        if (_key is null || parts is not [Version, var nonceText, var cipherText, var tagText])
        {
            return false;
        }

        byte[] nonce, ciphertext, tag;
        try
        {
            nonce = Base64Url.DecodeFromChars(nonceText);
            ciphertext = Base64Url.DecodeFromChars(cipherText);
            tag = Base64Url.DecodeFromChars(tagText);
        }
        catch (FormatException)
        {
            return false;
        }

        if (nonce.Length != NonceBytes || tag.Length != TagBytes || ciphertext.Length == 0)
        {
            return false;
        }

        var plaintext = new byte[ciphertext.Length];
        try
        {
            using var aes = new AesGcm(_key, TagBytes);
            aes.Decrypt(nonce, ciphertext, tag, plaintext, AssociatedData(backendId));
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }

        apiKey = Encoding.UTF8.GetString(plaintext);
        CryptographicOperations.ZeroMemory(plaintext);
        return true;
    }

    /// <summary>
    /// The form admin reads show: the first 3 and last 4 characters (<c>sk-…abcd</c>) of a key long
    /// enough that at least 9 stay hidden, else only <c>…</c>.
    /// </summary>
    public static string Mask(string apiKey)
    {
        ArgumentNullException.ThrowIfNull(apiKey);
        return apiKey.Length >= 16 ? $"{apiKey[..3]}…{apiKey[^4..]}" : "…";
    }

    private static byte[] AssociatedData(string backendId) => Encoding.UTF8.GetBytes(AssociatedDataPrefix + backendId);
}
