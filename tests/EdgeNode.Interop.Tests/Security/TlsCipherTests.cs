using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Security;

/// <summary>
/// Every TLS listener, probed with OpenSSL's own client: TLS 1.2 suites with CBC and a SHA-1 MAC are refused, AEAD
/// suites are accepted, and the client listeners (XMPP, MQTT) follow the client's order of preference. The federation
/// listeners run on SslStream, which on Linux always applies the server's order (AES-GCM first).
/// </summary>
public class TlsCipherTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private const string Cbc = "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:AES128-SHA:AES256-SHA:AES128-SHA256";
    private const string Gcm = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";

    /// <summary>Each TLS port and the s_client arguments that reach its handshake.</summary>
    public static TheoryData<string, string> Listeners() => new()
    {
        { "Xmpp:C2sPort", "-starttls xmpp -xmpphost localhost" },
        { "Xmpp:C2sDirectTlsPort", "" },
        { "Xmpp:S2sPort", "-starttls xmpp-server -xmpphost localhost" },
        { "Xmpp:S2sDirectTlsPort", "" },
        { "Http:FederationPort", "" },
        { "Mqtt:TlsPort", "" },
    };

    [Theory]
    [MemberData(nameof(Listeners))]
    public async Task Tls12_CbcOrSha1Suite_IsRefusedAndGcmIsAccepted(string key, string extra)
    {
        await using var node = await TestNode.StartAsync(settings: ["--Federation:Mode=open"]);
        int port = node.Port(key);

        var refused = await HandshakeAsync(port, extra, "-tls1_2", "-cipher", Cbc);
        Assert.Null(refused.Cipher);

        var accepted = await HandshakeAsync(port, extra, "-tls1_2", "-cipher", Gcm);
        Assert.True(accepted.Cipher is not null, accepted.Output);
        Assert.Contains("GCM", accepted.Cipher);

        var tls13 = await HandshakeAsync(port, extra, "-tls1_3");
        Assert.True(tls13.Cipher is not null, tls13.Output);
        Assert.StartsWith("TLS_", tls13.Cipher);
    }

    [Theory]
    [InlineData("Xmpp:C2sDirectTlsPort")]
    [InlineData("Mqtt:TlsPort")]
    [InlineData("Xmpp:C2sPort")]
    public async Task Tls12_ClientOrder_DecidesTheSuite(string key)
    {
        await using var node = await TestNode.StartAsync();
        string extra = key == "Xmpp:C2sPort" ? "-starttls xmpp -xmpphost localhost" : "";
        int port = node.Port(key);

        var chacha = await HandshakeAsync(port, extra, "-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:" + Gcm);
        Assert.True(chacha.Cipher is not null, chacha.Output);
        Assert.Contains("CHACHA20", chacha.Cipher);

        var gcm = await HandshakeAsync(port, extra, "-tls1_2", "-cipher", Gcm + ":ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
        Assert.True(gcm.Cipher is not null, gcm.Output);
        Assert.Contains("GCM", gcm.Cipher);
    }

    /// <summary>The suite s_client negotiated, or null when the handshake failed.</summary>
    private static async Task<(string? Cipher, string Output)> HandshakeAsync(int port, string extra, params string[] options)
    {
        string openssl = Peer.Require("openssl", "openssl");
        string[] args = ["s_client", "-connect", $"127.0.0.1:{port}", "-brief", .. extra.Split(' ', StringSplitOptions.RemoveEmptyEntries), .. options];
        // s_client reads commands from stdin; an empty stdin makes it close the connection after the handshake.
        var result = await Peer.RunAsync(openssl, args, Timeout, stdin: "");
        string output = result.Out + result.Error;
        foreach (string line in output.Split('\n'))
        {
            const string prefix = "Ciphersuite: ";
            if (line.StartsWith(prefix, StringComparison.Ordinal)) return (line[prefix.Length..].Trim(), output);
        }

        return (null, output);
    }
}
