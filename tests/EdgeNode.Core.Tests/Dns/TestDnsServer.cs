using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using EdgeNode.Core.Dns;

namespace EdgeNode.Core.Tests.Dns;

/// <summary>
/// A DNS server on loopback (UDP and TCP on one port) answering from a table, for testing the stub resolver the way
/// it meets a real one: over sockets, with compression, truncation and failures.
/// </summary>
public sealed class TestDnsServer : IDisposable
{
    private readonly Socket _udp;
    private readonly TcpListener _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _udpLoop, _tcpLoop;

    public Dictionary<string, List<SrvRecord>> Srv { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Names answered with SERVFAIL.</summary>
    public HashSet<string> Failing { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Names whose UDP answer is truncated (TC set, no records), so the full answer needs TCP.</summary>
    public HashSet<string> TruncateOverUdp { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>When set, UDP queries are not answered at all.</summary>
    public bool Silent { get; set; }
    public int UdpQueries, TcpQueries;

    public IPEndPoint EndPoint => (IPEndPoint)_udp.LocalEndPoint!;

    public TestDnsServer()
    {
        // DNS over UDP and TCP on one port number: the UDP port is the system's choice, and when another program
        // already holds that number for TCP (a busy machine's outgoing connections use the same range), try again.
        for (int attempt = 1; ; attempt++)
        {
            _udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            _udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _tcp = new TcpListener(IPAddress.Loopback, EndPoint.Port);
            try
            {
                _tcp.Start();
                break;
            }
            catch (SocketException) when (attempt < 50)
            {
                _udp.Dispose();
            }
        }
        _udpLoop = Task.Run(ServeUdpAsync);
        _tcpLoop = Task.Run(ServeTcpAsync);
    }

    // Generous by default: the CI machine runs every test project at once on two cores, and a responder that is
    // answering but not scheduled within a second is not what these tests are about.
    public ResolvConf Conf(int timeoutSeconds = 5, int attempts = 2) => new([EndPoint], TimeSpan.FromSeconds(timeoutSeconds), attempts);

    private async Task ServeUdpAsync()
    {
        var buffer = new byte[512];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try { received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (SocketException) { continue; }
            Interlocked.Increment(ref UdpQueries);
            if (Silent) continue;
            var answer = Answer(buffer.AsSpan(0, received.ReceivedBytes), overUdp: true);
            await _udp.SendToAsync(answer, SocketFlags.None, received.RemoteEndPoint);
        }
    }

    private async Task ServeTcpAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _tcp.AcceptTcpClientAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            using (client)
            {
                Interlocked.Increment(ref TcpQueries);
                var stream = client.GetStream();
                var length = new byte[2];
                await stream.ReadExactlyAsync(length);
                var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
                await stream.ReadExactlyAsync(query);
                var answer = Answer(query, overUdp: false);
                var framed = new byte[answer.Length + 2];
                BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)answer.Length);
                answer.CopyTo(framed, 2);
                await stream.WriteAsync(framed);
            }
        }
    }

    private byte[] Answer(ReadOnlySpan<byte> query, bool overUdp)
    {
        var at = 12;
        var name = DnsMessage.ReadName(query, ref at);
        var questionEnd = at + 4;
        var truncate = overUdp && TruncateOverUdp.Contains(name);
        var records = truncate ? [] : Srv.GetValueOrDefault(name) ?? [];
        var code = Failing.Contains(name) ? 2 : Srv.ContainsKey(name) || TruncateOverUdp.Contains(name) ? 0 : 3;

        var response = new byte[4096];
        query[..questionEnd].CopyTo(response);
        response[2] = (byte)(0x80 | 0x01 | (truncate ? 0x02 : 0)); // QR, RD, TC
        response[3] = (byte)(0x80 | code); // RA, RCODE
        BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(6), (ushort)records.Count);
        var w = questionEnd;
        foreach (var r in records)
        {
            // Owner name as a compression pointer to the question name at offset 12.
            response[w++] = 0xC0; response[w++] = 12;
            BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(w), DnsRecordType.Srv);
            BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(w + 2), 1);
            BinaryPrimitives.WriteUInt32BigEndian(response.AsSpan(w + 4), r.TimeToLive);
            var lengthAt = w + 8;
            w += 10;
            var dataStart = w;
            BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(w), r.Priority);
            BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(w + 2), r.Weight);
            BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(w + 4), r.Port);
            w = DnsMessage.WriteName(response, w + 6, r.Target == "." ? "" : r.Target);
            BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(lengthAt), (ushort)(w - dataStart));
        }
        return response[..w];
    }

    public void Dispose()
    {
        _stop.Cancel();
        _udp.Dispose();
        _tcp.Stop();
        Task.WaitAll([_udpLoop, _tcpLoop], TimeSpan.FromSeconds(5));
    }
}
