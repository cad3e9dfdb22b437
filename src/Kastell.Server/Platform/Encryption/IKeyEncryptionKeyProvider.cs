namespace Kastell.Server.Platform.Encryption;

/// <summary>
/// Holds the key-encryption keys (KEKs) and wraps data keys with them; the KEKs themselves never leave the
/// provider. Every KEK has a version (1, 2, ...); new data keys are wrapped with the highest version, and a wrapped
/// key records its version so that rotation can re-wrap it and the old version can be destroyed afterwards.
/// A wrapped key is AES-256-GCM under the KEK: [nonce 12][ciphertext][tag 16], bound to associated data.
/// </summary>
public interface IKeyEncryptionKeyProvider
{
    /// <summary>For messages: <c>File</c> or <c>Pkcs11</c>.</summary>
    string Name { get; }

    /// <summary>The version new data keys are wrapped with. Looked up each time, so another instance's rotation is seen.</summary>
    int CurrentVersion();

    byte[] Wrap(int kekVersion, ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> associatedData);

    /// <exception cref="KeyUnavailableException">The KEK version is not (or no longer) available.</exception>
    /// <exception cref="DecryptionFailedException">Wrong KEK, altered wrapped key or wrong associated data.</exception>
    byte[] Unwrap(int kekVersion, ReadOnlySpan<byte> wrappedKey, ReadOnlySpan<byte> associatedData);

    /// <summary>Creates KEK version <see cref="CurrentVersion"/> + 1 and returns it.</summary>
    int CreateNextVersion();

    /// <summary>Destroys one KEK version for good. Only safe once nothing is wrapped with it any more.</summary>
    void Destroy(int kekVersion);
}

/// <summary>A key that is needed is missing or unusable (file gone, HSM object destroyed, wrong permissions).</summary>
public sealed class KeyUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Authenticated decryption failed. The message never contains key material or plaintext.</summary>
public sealed class DecryptionFailedException(string message, Exception? inner = null) : Exception(message, inner);
