using System.Security.Cryptography;
using System.Text;
using Kastell.Server.Platform.Encryption;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Platform.Encryption;

/// <summary>The contract every key-encryption-key provider meets; run against the key file and against SoftHSM2.</summary>
public abstract class KeyProviderTests
{
    private static readonly byte[] Aad = Encoding.UTF8.GetBytes("kastell/data-key/v1\ntest");

    /// <summary>A provider over this test class's key store; a second call opens the same store afresh.</summary>
    protected abstract IKeyEncryptionKeyProvider OpenProvider();

    [Fact]
    public void Wrap_ThenUnwrap_ReturnsTheDataKey_AndTheWrappedKeyHidesIt()
    {
        var kek = OpenProvider();
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var version = kek.CurrentVersion();

        var wrapped = kek.Wrap(version, dataKey, Aad);

        Assert.Equal(12 + 32 + 16, wrapped.Length);
        Assert.False(wrapped.AsSpan().IndexOf(dataKey.AsSpan(0, 8)) >= 0, "the wrapped key contains the data key");
        Assert.Equal(dataKey, kek.Unwrap(version, wrapped, Aad));
        Assert.Equal(dataKey, OpenProvider().Unwrap(version, wrapped, Aad)); // persisted, not just in memory
    }

    [Fact]
    public void Unwrap_WithOtherAssociatedData_Fails()
    {
        var kek = OpenProvider();
        var wrapped = kek.Wrap(kek.CurrentVersion(), RandomNumberGenerator.GetBytes(32), Aad);

        Assert.Throws<DecryptionFailedException>(() => kek.Unwrap(kek.CurrentVersion(), wrapped, Encoding.UTF8.GetBytes("kastell/data-key/v1\nother")));
    }

    [Theory]
    [InlineData("altered")]
    [InlineData("truncated")]
    public void Unwrap_OfADamagedWrappedKey_Fails(string damage)
    {
        var kek = OpenProvider();
        var wrapped = kek.Wrap(kek.CurrentVersion(), RandomNumberGenerator.GetBytes(32), Aad);
        if (damage == "altered")
        {
            wrapped[20] ^= 0x01;
        }
        else
        {
            wrapped = wrapped[..^1];
        }

        Assert.Throws<DecryptionFailedException>(() => kek.Unwrap(kek.CurrentVersion(), wrapped, Aad));
    }

    [Fact]
    public void Unwrap_WithAVersionThatDoesNotExist_SaysTheKeyIsUnavailable()
    {
        var kek = OpenProvider();
        var wrapped = kek.Wrap(kek.CurrentVersion(), RandomNumberGenerator.GetBytes(32), Aad);

        var error = Assert.Throws<KeyUnavailableException>(() => kek.Unwrap(999, wrapped, Aad));
        Assert.Contains("version 999", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NextVersion_BecomesCurrent_OldVersionWorksUntilDestroyed()
    {
        var kek = OpenProvider();
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var old = kek.CurrentVersion();
        var wrappedWithOld = kek.Wrap(old, dataKey, Aad);

        var next = kek.CreateNextVersion();

        Assert.Equal(old + 1, next);
        Assert.Equal(next, OpenProvider().CurrentVersion());
        Assert.Equal(dataKey, kek.Unwrap(old, wrappedWithOld, Aad));
        var wrappedWithNext = kek.Wrap(next, dataKey, Aad);
        Assert.Throws<DecryptionFailedException>(() => kek.Unwrap(old, wrappedWithNext, Aad)); // versions are different keys

        kek.Destroy(old);

        Assert.Throws<KeyUnavailableException>(() => OpenProvider().Unwrap(old, wrappedWithOld, Aad));
        Assert.Equal(dataKey, OpenProvider().Unwrap(next, wrappedWithNext, Aad));
    }
}

public sealed class KeyProviderTestsWithKeyFile : KeyProviderTests, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kastell-keys-").FullName;

    protected override IKeyEncryptionKeyProvider OpenProvider() => new FileKeyProvider(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}

public sealed class KeyProviderTestsWithSoftHsm : KeyProviderTests, IDisposable
{
    private readonly string _label = SoftHsm.UniqueKeyLabel();
    private readonly List<Pkcs11KeyProvider> _opened = [];

    protected override IKeyEncryptionKeyProvider OpenProvider()
    {
        var provider = new Pkcs11KeyProvider(SoftHsm.Options(_label));
        _opened.Add(provider);
        return provider;
    }

    [Fact]
    public void WrongPin_IsRefused_EvenWhileThisProcessIsLoggedInToTheToken()
    {
        // The open provider keeps the token logged in, so the token itself answers "already logged in" to any PIN.
        _ = OpenProvider().CurrentVersion();
        var wrong = SoftHsm.Options(_label);
        wrong.Pin = "not-" + SoftHsm.Pin;

        var error = Assert.Throws<KeyUnavailableException>(() => new Pkcs11KeyProvider(wrong));

        Assert.Contains("refused the PIN", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, OpenProvider().CurrentVersion());
    }

    public void Dispose()
    {
        foreach (var provider in _opened)
        {
            provider.Dispose();
        }
    }
}
