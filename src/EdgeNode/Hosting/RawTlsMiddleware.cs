using System.IO.Pipelines;
using System.Security.Authentication;
using EdgeNode.Core.Tls;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Hosting;

/// <summary>
/// TLS from the first byte for the raw TCP listeners (XMPP direct TLS, MQTT over TLS), on the node's own OpenSSL
/// streams: an idle connection holds no TLS buffer (Kestrel's HTTPS middleware keeps OpenSSL's two 17 KiB record
/// buffers per connection). ALPN chooses the listener's protocol name when the client offers it.
/// </summary>
internal sealed class RawTlsMiddleware(TlsContextRotation contexts, TimeSpan handshakeTimeout, ILogger logger)
{
    public ConnectionDelegate Wrap(ConnectionDelegate next) => connection => RunAsync(connection, next);

    private async Task RunAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        IDuplexPipe transport = connection.Transport;
        var tls = new TlsServerStream(contexts.Current, transport, leaveTransportOpen: true);
        try
        {
            using (var timeout = new CancellationTokenSource(handshakeTimeout))
            {
                try
                {
                    await tls.AuthenticateAsServerAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or AuthenticationException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
                {
                    NodeLog.TlsHandshakeFailed(logger, connection.RemoteEndPoint?.ToString() ?? "?", e.Message);
                    return;
                }
            }

            var secured = new StreamPipe(tls);
            connection.Transport = secured;
            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                await secured.Input.CompleteAsync().ConfigureAwait(false);
                await secured.Output.CompleteAsync().ConfigureAwait(false);
                connection.Transport = transport;
            }
        }
        finally
        {
            await tls.DisposeAsync().ConfigureAwait(false);
        }
    }
}
