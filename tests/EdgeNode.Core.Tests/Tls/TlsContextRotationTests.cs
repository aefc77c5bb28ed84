using System.Security.Cryptography.X509Certificates;
using EdgeNode.Core.Crypto;
using EdgeNode.Core.Tls;
using Microsoft.Extensions.Time.Testing;

namespace EdgeNode.Core.Tests.Tls;

public class TlsContextRotationTests
{
    private static readonly X509Certificate2 Certificate = NodeCertificate.CreateSelfSigned("tls.test", DateTimeOffset.UtcNow);

    [Fact]
    public void Current_AfterTheLifetime_IsAFreshContextAndThePreviousStaysUsable()
    {
        var time = new FakeTimeProvider();
        int created = 0;
        using var rotation = new TlsContextRotation(() => { created++; return TlsServerContext.Create(Certificate); }, time, TimeSpan.FromDays(1));
        TlsServerContext first = rotation.Current;

        time.Advance(TimeSpan.FromHours(23));
        Assert.Same(first, rotation.Current);
        Assert.Equal(1, created);

        time.Advance(TimeSpan.FromHours(1));
        TlsServerContext second = rotation.Current;
        Assert.NotSame(first, second);
        Assert.Equal(2, created);
        // A connection that took the first context just before the rotation can still be made from it.
        Assert.NotEqual(0, first.Handle);

        time.Advance(TimeSpan.FromDays(1));
        Assert.NotSame(second, rotation.Current);
        Assert.Throws<ObjectDisposedException>(() => first.Handle);
    }

    [Fact]
    public void ServerCertificate_OpenSslContext_RotatesDailyPerApplicationProtocol()
    {
        var time = new FakeTimeProvider();
        using var presented = new ServerCertificate(Certificate, time: time);
        TlsServerContext mqtt = presented.OpenSslContext("mqtt");
        TlsServerContext xmpp = presented.OpenSslContext("xmpp-client");
        Assert.NotSame(mqtt, xmpp);

        time.Advance(TimeSpan.FromHours(23));
        Assert.Same(mqtt, presented.OpenSslContext("mqtt"));

        time.Advance(TimeSpan.FromHours(1));
        Assert.NotSame(mqtt, presented.OpenSslContext("mqtt"));
        Assert.NotSame(xmpp, presented.OpenSslContext("xmpp-client"));
    }
}
