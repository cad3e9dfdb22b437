using System.Net;
using System.Net.Sockets;
using Kastell.Server.Platform.Http.Outbound;

namespace Kastell.Server.Tests.Platform.Http.Outbound;

/// <summary>Which addresses an administrator-supplied URL may reach, and that a connection is refused before any packet is sent.</summary>
public sealed class PublicAddressesTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("::")]
    [InlineData("10.0.0.1")]
    [InlineData("10.255.255.255")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("169.254.169.254")] // cloud metadata
    [InlineData("169.254.0.1")]
    [InlineData("192.0.0.170")]
    [InlineData("198.18.0.1")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("fe80::1")]
    [InlineData("febf::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("ff02::1")]
    [InlineData("fec0::1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:192.168.0.1")]
    [InlineData("::10.0.0.1")] // IPv4-compatible (deprecated)
    [InlineData("64:ff9b::a9fe:a9fe")] // NAT64 of 169.254.169.254
    [InlineData("64:ff9b::7f00:1")] // NAT64 of 127.0.0.1
    [InlineData("2002:a9fe:a9fe::1")] // 6to4 of 169.254.169.254
    [InlineData("2002:0a00:0001::1")] // 6to4 of 10.0.0.1
    [InlineData("2001:db8::1")]
    [InlineData("100::1")]
    public void InternalAddresses_AreRefused(string address) =>
        Assert.False(PublicAddresses.IsAllowed(IPAddress.Parse(address), allowLoopback: false), address);

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("8.8.8.8")]
    [InlineData("172.15.255.255")] // just outside 172.16/12
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")] // just outside 100.64/10
    [InlineData("169.253.255.255")]
    [InlineData("223.255.255.255")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001:80b::200e")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")] // NAT64 of a public address
    [InlineData("2002:0808:0808::1")]
    public void PublicAddresses_AreAllowed(string address) =>
        Assert.True(PublicAddresses.IsAllowed(IPAddress.Parse(address), allowLoopback: false), address);

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.0.0.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("fe80::1", false)]
    [InlineData("64:ff9b::7f00:1", false)] // loopback behind NAT64 is not this machine
    public void TheLoopbackSwitch_AllowsLoopbackOnly(string address, bool allowed) =>
        Assert.Equal(allowed, PublicAddresses.IsAllowed(IPAddress.Parse(address), allowLoopback: true));

    [Fact]
    public async Task AConnectionToAListeningLoopbackPort_IsRefusedWithoutTheSwitch_AndMadeWithIt()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var ct = TestContext.Current.CancellationToken;

        await Assert.ThrowsAsync<OutboundAddressRefusedException>(async () => await PublicOnlyHttp.ConnectAsync(new DnsEndPoint("127.0.0.1", port), allowLoopback: false, ct));
        await Assert.ThrowsAsync<OutboundAddressRefusedException>(async () => await PublicOnlyHttp.ConnectAsync(new DnsEndPoint("localhost", port), allowLoopback: false, ct));
        Assert.False(listener.Pending()); // refused before connecting

        await using var stream = await PublicOnlyHttp.ConnectAsync(new DnsEndPoint("127.0.0.1", port), allowLoopback: true, ct);
        using var accepted = await listener.AcceptTcpClientAsync(ct);
        Assert.True(accepted.Connected);
    }
}
