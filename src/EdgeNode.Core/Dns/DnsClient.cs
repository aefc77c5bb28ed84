using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace EdgeNode.Core.Dns;

public sealed class DnsException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A small stub resolver for the records .NET cannot look up (SRV): asks the configured servers over UDP, and
/// again over TCP when the answer was truncated. Host addresses still come from the system resolver.
/// </summary>
public sealed class DnsClient(ResolvConf configuration)
{
    private const int MaxUdpResponse = 4096;

    public ResolvConf Configuration => configuration;

    public static DnsClient FromSystem() => new(ResolvConf.Load());

    /// <summary>The SRV records of <paramref name="name"/>; empty when the name does not exist or has none.</summary>
    public async Task<IReadOnlyList<SrvRecord>> QuerySrvAsync(string name, CancellationToken cancellationToken)
    {
        var answer = await QueryAsync(name, DnsRecordType.Srv, cancellationToken).ConfigureAwait(false);
        return answer.Srv;
    }

    public async Task<DnsAnswer> QueryAsync(string name, ushort type, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        for (var attempt = 0; attempt < configuration.Attempts; attempt++)
        {
            foreach (var server in configuration.Servers)
            {
                var id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
                var query = DnsMessage.BuildQuery(id, name, type);
                try
                {
                    var answer = await AskUdpAsync(server, query, id, name, type, cancellationToken).ConfigureAwait(false);
                    if (answer.Truncated) answer = await AskTcpAsync(server, query, id, name, type, cancellationToken).ConfigureAwait(false);
                    switch (answer.Code)
                    {
                        case DnsResponseCode.NoError:
                        case DnsResponseCode.NameError:
                            return answer with { Srv = answer.Code == DnsResponseCode.NameError ? [] : answer.Srv };
                        default:
                            failures.Add($"{server.Address} answered {answer.Code}");
                            break;
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    failures.Add($"{server.Address} did not answer within {configuration.Timeout.TotalSeconds:0} s");
                }
                catch (Exception e) when (e is SocketException or DnsFormatException or IOException)
                {
                    failures.Add($"{server.Address}: {e.Message}");
                }
            }
        }
        throw new DnsException($"no DNS server could answer for {name}: {string.Join("; ", failures.Distinct())}");
    }

    private async Task<DnsAnswer> AskUdpAsync(IPEndPoint server, byte[] query, ushort id, string name, ushort type, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(configuration.Timeout);
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        // Connecting the socket makes the kernel drop datagrams from anyone but the server asked.
        await socket.ConnectAsync(server, timeout.Token).ConfigureAwait(false);
        await socket.SendAsync(query, SocketFlags.None, timeout.Token).ConfigureAwait(false);
        var buffer = new byte[MaxUdpResponse];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            try
            {
                return DnsMessage.ReadResponse(buffer.AsSpan(0, received), id, name, type);
            }
            catch (DnsFormatException) when (received >= 2 && BinaryPrimitives.ReadUInt16BigEndian(buffer) != id)
            {
                // A late answer to an earlier query from the same server: keep waiting for ours.
            }
        }
    }

    private async Task<DnsAnswer> AskTcpAsync(IPEndPoint server, byte[] query, ushort id, string name, ushort type, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(configuration.Timeout);
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server, timeout.Token).ConfigureAwait(false);
        var framed = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        await socket.SendAsync(framed, SocketFlags.None, timeout.Token).ConfigureAwait(false);
        var lengthBytes = new byte[2];
        await ReceiveExactlyAsync(socket, lengthBytes, timeout.Token).ConfigureAwait(false);
        var response = new byte[BinaryPrimitives.ReadUInt16BigEndian(lengthBytes)];
        await ReceiveExactlyAsync(socket, response, timeout.Token).ConfigureAwait(false);
        return DnsMessage.ReadResponse(response, id, name, type);
    }

    private static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0) throw new IOException("the DNS server closed the connection mid-answer");
            buffer = buffer[n..];
        }
    }
}
