using System.Text;
using EdgeNode.Core.Accounts;
using EdgeNode.Xmpp.Sasl;

namespace EdgeNode.Fuzz.Targets;

/// <summary>
/// The SCRAM server's message parsers (input: client-first NUL client-final), for an account "user" whose
/// password is "pencil". Properties: no exception escapes (a bad message is a SASL failure), and success only comes
/// with the account named and the server signature.
/// </summary>
internal static class ScramTarget
{
    private static readonly ScramCredential Credential = ScramCredential.Derive(ScramHash.Sha256, "pencil", Encoding.ASCII.GetBytes("fuzz-salt-16byte"), 64);
    private static readonly byte[] FakeSaltKey = new byte[32];

    public static FuzzTarget Target { get; } = new(Check);

    private static void Check(ReadOnlySpan<byte> input)
    {
        (ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> final) = Inputs.AtNul(input);
        var server = new ScramServer(ScramHash.Sha256, "fuzz.example", name => name == "user" ? Credential : null, FakeSaltKey);
        if (server.Start(first.Span, out byte[] challenge) != SaslStep.Challenge) return;
        PropertyViolationException.ThrowIfNot(challenge.Length > 0, "a SCRAM challenge is empty");
        if (server.Continue(final.Span, out byte[] signature) == SaslStep.Success)
        {
            PropertyViolationException.ThrowIfNot(server.Account is not null && signature.Length > 0, "SCRAM succeeded without an account or a signature");
        }
    }
}
