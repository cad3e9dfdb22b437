using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Tests.Platform.Audit;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AuditSigningKeyTests
{
    [Fact]
    public void KeyFile_IsCreatedOwnerOnly_WithThePublicKeyBesideIt()
    {
        var keys = Path.Combine(Directory.CreateTempSubdirectory("kastell-keys-").FullName, "keys");

        using var key = AuditSigningKey.LoadOrCreate(keys);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(keys, AuditSigningKey.FileName)));
        Assert.Equal(key.PublicKeyPem, File.ReadAllText(Path.Combine(keys, AuditSigningKey.PublicFileName)));
        using var again = AuditSigningKey.LoadOrCreate(keys);
        Assert.Equal(key.KeyId, again.KeyId);
    }

    [Fact]
    public void KeyFile_ReadableByOthers_IsRefused()
    {
        var keys = Path.Combine(Directory.CreateTempSubdirectory("kastell-keys-").FullName, "keys");
        AuditSigningKey.LoadOrCreate(keys).Dispose();
        File.SetUnixFileMode(Path.Combine(keys, AuditSigningKey.FileName), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var error = Assert.Throws<InvalidOperationException>(() => AuditSigningKey.LoadOrCreate(keys));
        Assert.Contains("refusing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Checkpoint_VerifiesOnlyUnchanged_AndOnlyWithItsKey()
    {
        using var key = AuditSigningKey.LoadOrCreate(Path.Combine(Directory.CreateTempSubdirectory("kastell-keys-").FullName, "keys"));
        using var other = AuditSigningKey.LoadOrCreate(Path.Combine(Directory.CreateTempSubdirectory("kastell-keys-").FullName, "keys"));
        var checkpoint = new AuditCheckpoint { Id = Guid.NewGuid(), Sequence = 7, Hash = new string('1', 64), CreatedAt = DateTimeOffset.UnixEpoch, KeyId = key.KeyId };
        checkpoint.Signature = key.Sign(checkpoint);

        Assert.True(key.Verify(checkpoint));
        Assert.False(other.Verify(checkpoint));
        checkpoint.Sequence = 8;
        Assert.False(key.Verify(checkpoint));
    }

    [Fact]
    public void Pseudonym_IsStablePerKey_AndHidesTheValue()
    {
        using var key = AuditSigningKey.LoadOrCreate(Path.Combine(Directory.CreateTempSubdirectory("kastell-keys-").FullName, "keys"));
        using var other = AuditSigningKey.LoadOrCreate(Path.Combine(Directory.CreateTempSubdirectory("kastell-keys-").FullName, "keys"));

        Assert.Equal(key.Pseudonym("a@example.test"), key.Pseudonym("a@example.test"));
        Assert.NotEqual(key.Pseudonym("a@example.test"), other.Pseudonym("a@example.test"));
        Assert.DoesNotContain("example", key.Pseudonym("a@example.test"), StringComparison.Ordinal);
    }
}
