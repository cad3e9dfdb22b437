using System.Security.Authentication;
using Kastell.Server.Platform.Siem;
using Kastell.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Tests.Platform.Siem;

/// <summary>Start-up validation of <c>Kastell:Siem</c> and the TLS checks against a real rsyslog.</summary>
public sealed class SiemSetupTests(RsyslogReceiver receiver) : IClassFixture<RsyslogReceiver>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void ValidSettings_HaveNoProblems() => Assert.Empty(new SiemOptionsValidator().Problems(Valid()));

    [Theory]
    [InlineData("Host", null, "Host")]
    [InlineData("Host", "bad host!", "Host")]
    [InlineData("Port", "0", "Port")]
    [InlineData("Port", "70000", "Port")]
    [InlineData("Format", "7", "Format")]
    [InlineData("Pin", "abc", "PinnedPublicKeySha256")]
    [InlineData("Ca", "/nonexistent/ca.pem", "Kastell:Siem:CaCertificateFile could not be loaded")]
    [InlineData("Client", "/nonexistent/client.pem", "Kastell:Siem:ClientCertificateFile and Kastell:Siem:ClientKeyFile go together")]
    [InlineData("BatchSize", "0", "BatchSize")]
    public void InvalidSettings_AreNamed(string setting, string? value, string expected)
    {
        var options = Valid();
        switch (setting)
        {
            case "Host": options.Host = value; break;
            case "Port": options.Port = int.Parse(value!, System.Globalization.CultureInfo.InvariantCulture); break;
            case "Format": options.Format = (SiemFormat)int.Parse(value!, System.Globalization.CultureInfo.InvariantCulture); break;
            case "Pin": options.PinnedPublicKeySha256 = value; break;
            case "Ca": options.CaCertificateFile = value; break;
            case "Client": options.ClientCertificateFile = value; break;
            case "BatchSize": options.BatchSize = 0; break;
        }

        Assert.Contains(new SiemOptionsValidator().Problems(options), p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void EnabledWithoutHost_StopsStartUp()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Kastell:Siem:Enabled"] = "true" }).Build();

        var error = Assert.Throws<OptionsValidationException>(() => new ServiceCollection().AddKastellSiem(configuration));
        Assert.Contains("Kastell:Siem:Host", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheConfiguredCaAndPin_AreAccepted()
    {
        await using var connection = await SyslogTlsConnection.OpenAsync(Valid(), SiemTrust.Load(Valid()), Ct);
        Assert.False(connection.IsClosed);
    }

    [Fact]
    public async Task AReceiverSignedByAnotherCa_IsRefused()
    {
        using var other = TestCertificates.Create("Some Other CA");
        var caFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(caFile, other.Ca.ExportCertificatePem(), Ct);
            var options = Valid();
            options.CaCertificateFile = caFile;
            options.PinnedPublicKeySha256 = null;

            await Assert.ThrowsAsync<AuthenticationException>(() => SyslogTlsConnection.OpenAsync(options, SiemTrust.Load(options), Ct));
        }
        finally
        {
            File.Delete(caFile);
        }
    }

    [Fact]
    public async Task AReceiverWithAnotherKey_IsRefused_WhenPinned()
    {
        var options = Valid();
        options.PinnedPublicKeySha256 = new string('a', 64);

        await Assert.ThrowsAsync<AuthenticationException>(() => SyslogTlsConnection.OpenAsync(options, SiemTrust.Load(options), Ct));
    }

    [Fact]
    public void ACertificateForAnotherName_IsRefused_EvenFromTheTrustedCa()
    {
        var trust = SiemTrust.Load(Valid());

        Assert.True(trust.Accept(receiver.Certificates.Server, null, System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(trust.Accept(receiver.Certificates.Server, null, System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.False(trust.Accept(null, null, System.Net.Security.SslPolicyErrors.RemoteCertificateNotAvailable));
    }

    private SiemOptions Valid() => new()
    {
        Enabled = true,
        Host = "localhost",
        Port = receiver.Port,
        CaCertificateFile = receiver.CaFile,
        PinnedPublicKeySha256 = SiemTrust.PublicKeyPin(receiver.Certificates.Server),
    };
}
