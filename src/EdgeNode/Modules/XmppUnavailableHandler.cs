using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using EdgeNode.Core.Logging;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Modules;

/// <summary>
/// Holds the XMPP ports while the XMPP service is not part of this build: a client that opens a stream is told
/// plainly, with the stream error RFC 6120 defines for it (service-unavailable), instead of meeting a dead port.
/// </summary>
public sealed partial class XmppUnavailableHandler(string domain, string streamNamespace, ILogger<XmppUnavailableHandler> logger) : ConnectionHandler
{
    private static readonly TimeSpan HeaderWait = TimeSpan.FromSeconds(10);

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        timeout.CancelAfter(HeaderWait);
        try
        {
            // Wait for the client's stream header (anything up to its first '>') so our answer follows it.
            while (true)
            {
                var result = await connection.Transport.Input.ReadAsync(timeout.Token).ConfigureAwait(false);
                var seen = result.Buffer.PositionOf((byte)'>') is not null;
                connection.Transport.Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                if (seen || result.IsCompleted) break;
                if (result.Buffer.Length > 4096) break;
            }
        }
        catch (OperationCanceledException)
        {
        }

        var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
        var reply =
            $"<?xml version='1.0'?><stream:stream xmlns='{streamNamespace}' xmlns:stream='http://etherx.jabber.org/streams' version='1.0' from='{domain}' id='{id}'>" +
            "<stream:error><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>" +
            "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams' xml:lang='en'>XMPP is not enabled on this node yet</text>" +
            "</stream:error></stream:stream>";
        Refused(logger, connection.RemoteEndPoint?.ToString() ?? "?");
        try
        {
            await connection.Transport.Output.WriteAsync(Encoding.UTF8.GetBytes(reply), connection.ConnectionClosed).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ConnectionResetException or InvalidOperationException)
        {
        }
        await connection.Transport.Output.CompleteAsync().ConfigureAwait(false);
    }

    [LoggerMessage(EventIds.ConnectionRefusedUnavailable, LogLevel.Debug, "XMPP connection from {Remote} told the service is unavailable")]
    private static partial void Refused(ILogger logger, string remote);
}
