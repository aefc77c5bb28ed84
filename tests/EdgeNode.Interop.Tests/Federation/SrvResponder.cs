using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using EdgeNode.Core.Dns;

namespace EdgeNode.Interop.Tests.Federation;

/// <summary>
/// A DNS responder on loopback (UDP) that answers SRV questions from a table and everything else with "no such
/// name", for peers whose own resolver must find the test domains (ejabberd asks DNS for _xmpp-server._tcp records and
/// then resolves the target with getaddrinfo, so an IP literal as the target needs no hosts file).
/// </summary>
public sealed class SrvResponder : IDisposable
{
    private readonly Socket _udp = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Dictionary<string, (string Target, ushort Port)> _srv;

    public SrvResponder(IPAddress address, IReadOnlyDictionary<string, (string Target, ushort Port)> srv)
    {
        _srv = new Dictionary<string, (string, ushort)>(srv, StringComparer.OrdinalIgnoreCase);
        _udp.Bind(new IPEndPoint(address, 0));
        _loop = Task.Run(ServeAsync);
    }

    public IPEndPoint EndPoint => (IPEndPoint)_udp.LocalEndPoint!;

    public int Queries;

    /// <summary>The questions asked so far ("name type"), for failure messages.</summary>
    public List<string> Asked { get; } = [];

    private async Task ServeAsync()
    {
        var buffer = new byte[512];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            Interlocked.Increment(ref Queries);
            byte[]? answer;
            try
            {
                answer = Answer(buffer.AsSpan(0, received.ReceivedBytes));
            }
            catch (Exception e) when (e is DnsFormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                continue;
            }

            await _udp.SendToAsync(answer, SocketFlags.None, received.RemoteEndPoint);
        }
    }

    private byte[] Answer(ReadOnlySpan<byte> query)
    {
        int at = 12;
        string name = DnsMessage.ReadName(query, ref at);
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(query[at..]);
        int questionEnd = at + 4;
        bool found = type == DnsRecordType.Srv && _srv.ContainsKey(name);
        lock (Asked)
        {
            Asked.Add($"{name} {type} {(found ? "answered" : "nxdomain")}");
        }

        var response = new byte[512];
        query[..questionEnd].CopyTo(response);
        response[2] = 0x81; // QR, RD
        response[3] = (byte)(0x80 | (found ? 0 : 3)); // RA, NOERROR or NXDOMAIN
        BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(6), (ushort)(found ? 1 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(8), 0);
        BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(10), 0);
        int w = questionEnd;
        if (found)
        {
            var (target, port) = _srv[name];
            response[w++] = 0xC0;
            response[w++] = 12;
            BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(w), DnsRecordType.Srv);
            BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(w + 2), 1);
            BinaryPrimitives.WriteUInt32BigEndian(response.AsSpan(w + 4), 60);
            int lengthAt = w + 8;
            w += 10;
            int dataStart = w;
            BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(w), 0);
            BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(w + 2), 0);
            BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(w + 4), port);
            w = DnsMessage.WriteName(response, w + 6, target);
            BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(lengthAt), (ushort)(w - dataStart));
        }

        return response[..w];
    }

    public void Dispose()
    {
        _stop.Cancel();
        _udp.Dispose();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}
