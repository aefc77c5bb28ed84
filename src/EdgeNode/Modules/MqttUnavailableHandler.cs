using System.Buffers;
using EdgeNode.Core.Logging;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Modules;

/// <summary>
/// Holds the MQTT ports while the broker is not part of this build: a CONNECT is answered with the refusal each
/// protocol version defines for an unavailable server, so a device logs a clear reason and retries later.
/// </summary>
public sealed partial class MqttUnavailableHandler(ILogger<MqttUnavailableHandler> logger) : ConnectionHandler
{
    private static readonly TimeSpan ConnectWait = TimeSpan.FromSeconds(10);
    // CONNACK, remaining length 2: no session present, return code 3 "server unavailable" (MQTT 3.1.1, 3.2.2.3).
    private static readonly byte[] RefuseV311 = [0x20, 0x02, 0x00, 0x03];
    // CONNACK, remaining length 3: no session present, reason 0x88 "Server unavailable", no properties (MQTT 5.0, 3.2.2.2).
    private static readonly byte[] RefuseV5 = [0x20, 0x03, 0x00, 0x88, 0x00];

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        timeout.CancelAfter(ConnectWait);
        byte[]? reply = null;
        try
        {
            while (true)
            {
                var result = await connection.Transport.Input.ReadAsync(timeout.Token).ConfigureAwait(false);
                var level = ProtocolLevel(result.Buffer);
                connection.Transport.Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                if (level is { } l) { reply = l == 5 ? RefuseV5 : RefuseV311; break; }
                if (level is null && (result.IsCompleted || result.Buffer.Length > 16)) break;
            }
        }
        catch (OperationCanceledException)
        {
        }

        Refused(logger, connection.RemoteEndPoint?.ToString() ?? "?");
        if (reply is not null)
        {
            try { await connection.Transport.Output.WriteAsync(reply, connection.ConnectionClosed).ConfigureAwait(false); }
            catch (Exception e) when (e is OperationCanceledException or ConnectionResetException or InvalidOperationException) { }
        }
        await connection.Transport.Output.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>The protocol level of a CONNECT once its first bytes are in; null while they are not, or when it is no CONNECT.</summary>
    private static int? ProtocolLevel(ReadOnlySequence<byte> buffer)
    {
        Span<byte> head = stackalloc byte[16];
        var length = (int)Math.Min(buffer.Length, head.Length);
        buffer.Slice(0, length).CopyTo(head);
        head = head[..length];
        if (head.Length == 0 || head[0] != 0x10) return null;
        var i = 1;
        while (i < head.Length && i <= 4 && (head[i] & 0x80) != 0) i++;
        i++; // past the last remaining-length byte
        // Protocol name is a two-byte length and "MQTT" (or "MQIsdp" for 3.1), then the level byte.
        if (head.Length < i + 2) return null;
        var nameLength = (head[i] << 8) | head[i + 1];
        var levelAt = i + 2 + nameLength;
        return levelAt < head.Length ? head[levelAt] : null;
    }

    [LoggerMessage(EventIds.ConnectionRefusedUnavailable + 1, LogLevel.Debug, "MQTT connection from {Remote} told the broker is unavailable")]
    private static partial void Refused(ILogger logger, string remote);
}
