using System.Buffers;
using System.Text;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Stanzas;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Xmpp.Streams;

/// <summary>Who ends a session when the router or a peer asks (the connection, or a test harness).</summary>
public interface ISessionOwner
{
    void RequestClose(TargetCloseReason reason);
}

/// <summary>
/// One bound client resource (RFC 6120 7): its addresses, presence, priority and XEP-0280 carbons state, and the
/// bounded outbound buffer its connection's pump drains. The router delivers here from any thread.
/// </summary>
public sealed class C2sSession : IRouteTarget
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_copy;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_forwarded;

    private readonly byte[] _resource;
    private readonly byte[] _full;
    private readonly ISessionOwner _owner;
    private readonly Lock _presenceLock = new();
    private readonly Lock _sendLock = new();
    private readonly Lock _flushLock = new();
    private volatile bool _available;
    private volatile int _priority;
    private volatile bool _carbons;
    private byte[]? _presence;
    private HashSet<string>? _directed;
    private long _queued;
    private long _flushed;
    private bool _outputStopped;
    private long _flushTarget;
    private TaskCompletionSource<bool>? _flushWaiter;
    // While a unit larger than the buffer is written piece by piece, everyone else's bytes wait here (under _sendLock).
    private ArrayBufferWriter<byte>? _deferred;
    private readonly Lock _jobsLock = new();
    private Task _jobs = Task.CompletedTask;

    /// <summary>Addresses one session may have sent directed presence to (RFC 6121 4.6) and not yet unavailable.</summary>
    public const int MaxDirectedPresence = 1000;

    public C2sSession(string bare, string resource, int outboundCapacity, ISessionOwner owner)
    {
        Bare = bare;
        ResourceName = resource;
        FullJid = bare + "/" + resource;
        BareUtf8 = Encoding.UTF8.GetBytes(bare);
        _resource = Encoding.UTF8.GetBytes(resource);
        _full = Encoding.UTF8.GetBytes(FullJid);
        _owner = owner;
        Outbound = new OutboundBuffer(outboundCapacity);
        OutboundCapacity = outboundCapacity;
    }

    /// <summary>The cap of <see cref="Outbound"/>, in bytes.</summary>
    public int OutboundCapacity { get; }

    /// <summary>Bytes queued for the client since the session was bound (compare with <see cref="FlushedBytes"/>).</summary>
    internal long QueuedBytes
    {
        get
        {
            lock (_sendLock)
            {
                return _queued;
            }
        }
    }

    public string Bare { get; }
    public string ResourceName { get; }
    public string FullJid { get; }
    public byte[] BareUtf8 { get; }
    public ReadOnlySpan<byte> Resource => _resource;
    public ReadOnlySpan<byte> FullAddress => _full;
    public OutboundBuffer Outbound { get; }
    public bool IsAvailable => _available;
    public int Priority => _priority;

    /// <summary>XEP-0280: this resource wants copies of its account's chat messages.</summary>
    public bool Carbons { get => _carbons; set => _carbons = value; }

    /// <summary>A roster change of this session's was refused for a full roster and logged (once per session).</summary>
    internal bool RosterFullLogged { get; set; }

    /// <summary>The roster was requested, so roster pushes are of interest (RFC 6121 2.1.6).</summary>
    public bool InterestedInRoster { get; set; }

    /// <summary>
    /// Held while this session's presence is changed and broadcast, and when it is retired, so that contacts see one
    /// order: an available broadcast never overtakes the unavailable of a session that is leaving or was replaced.
    /// </summary>
    internal Lock PresenceGate { get; } = new();

    /// <summary>Gone for good (closed or replaced): its unavailable went out, and it broadcasts no presence again. Under <see cref="PresenceGate"/>.</summary>
    internal bool Retired { get; set; }

    /// <summary>Bytes the connection has written and flushed to the client since the session was bound.</summary>
    public long FlushedBytes => Interlocked.Read(ref _flushed);

    /// <summary>The last available presence, from stamped and without a 'to', for broadcasts and probes.</summary>
    public byte[]? PresenceTemplate
    {
        get
        {
            lock (_presenceLock)
            {
                return _presence;
            }
        }
    }

    public void SetAvailable(int priority, byte[] template) => SetAvailable(priority, template, PresenceShow.None, null);

    /// <summary>Available with the presence's shade and status text, which the account's protocol-neutral view reports.</summary>
    public void SetAvailable(int priority, byte[] template, PresenceShow show, string? status)
    {
        lock (_presenceLock)
        {
            _presence = template;
            _priority = priority;
            Show = show;
            Status = status;
            _available = true;
        }
    }

    /// <summary>The &lt;show/&gt; of the last available presence.</summary>
    public PresenceShow Show { get; private set; }

    /// <summary>The first &lt;status/&gt; text of the last available presence; null for none.</summary>
    public string? Status { get; private set; }

    public void SetUnavailable()
    {
        lock (_presenceLock)
        {
            _presence = null;
            _available = false;
        }
    }

    /// <summary>
    /// Records an address that got directed presence, so it gets unavailable when this session leaves (RFC 6121 4.6).
    /// False, and nothing recorded, when the address is new and <see cref="MaxDirectedPresence"/> are recorded already.
    /// </summary>
    public bool TryAddDirected(string address)
    {
        lock (_presenceLock)
        {
            _directed ??= new HashSet<string>(StringComparer.Ordinal);
            return _directed.Contains(address) || (_directed.Count < MaxDirectedPresence && _directed.Add(address));
        }
    }

    /// <summary>How many addresses hold directed presence from this session now.</summary>
    public int DirectedCount
    {
        get
        {
            lock (_presenceLock)
            {
                return _directed?.Count ?? 0;
            }
        }
    }

    public void RemoveDirected(string address)
    {
        lock (_presenceLock)
        {
            _directed?.Remove(address);
        }
    }

    public string[] TakeDirected()
    {
        lock (_presenceLock)
        {
            string[] all = _directed is null ? [] : [.. _directed];
            _directed = null;
            return all;
        }
    }

    /// <summary>Queues bytes for the client; an overflow ends the session.</summary>
    public bool Send(ReadOnlySpan<byte> data) => Send(data, out _);

    /// <summary>Queues bytes for the client and tells the position just after them (compare with <see cref="FlushedBytes"/>).</summary>
    public bool Send(ReadOnlySpan<byte> data, out long end)
    {
        // Everything reaches the outbound buffer through here, so positions follow the buffer's order exactly.
        lock (_sendLock)
        {
            if (_deferred is { } deferred)
            {
                // Held back until the long unit is complete; as much may wait as the buffer itself could hold after it.
                end = _queued;
                if (deferred.WrittenCount + data.Length <= OutboundCapacity / 2)
                {
                    deferred.Write(data);
                    return true;
                }
            }
            else if (Outbound.TryWrite(data))
            {
                _queued += data.Length;
                end = _queued;
                return true;
            }
            else
            {
                end = _queued;
            }
        }

        if (_deferred is not null || Outbound.Overflowed)
        {
            _owner.RequestClose(TargetCloseReason.Overflow);
        }

        return false;
    }

    /// <summary>
    /// Starts a unit of output larger than the buffer (a big roster result): from now until <see cref="EndLongUnit"/>
    /// only <see cref="SendPiece"/> reaches the buffer, and every other send waits, so no stanza lands inside the unit.
    /// </summary>
    internal void BeginLongUnit()
    {
        lock (_sendLock)
        {
            _deferred = new ArrayBufferWriter<byte>(4096);
        }
    }

    /// <summary>Queues one piece of the long unit; the caller waits for the previous pieces to be flushed first.</summary>
    internal bool SendPiece(ReadOnlySpan<byte> data, out long end)
    {
        lock (_sendLock)
        {
            if (Outbound.TryWrite(data))
            {
                _queued += data.Length;
                end = _queued;
                return true;
            }

            end = _queued;
            return false;
        }
    }

    /// <summary>Ends the long unit: what waited meanwhile is queued after it, in the order it was sent.</summary>
    internal void EndLongUnit()
    {
        bool lost;
        lock (_sendLock)
        {
            ArrayBufferWriter<byte>? deferred = _deferred;
            _deferred = null;
            if (deferred is null || deferred.WrittenCount == 0)
            {
                return;
            }

            lost = !Outbound.TryWrite(deferred.WrittenSpan);
            if (!lost)
            {
                _queued += deferred.WrittenCount;
            }
        }

        if (lost && Outbound.Overflowed)
        {
            _owner.RequestClose(TargetCloseReason.Overflow);
        }
    }

    /// <summary>Output work that runs beside the read loop (offline delivery, a long roster), one job after another.</summary>
    internal Task OutputJobs
    {
        get
        {
            lock (_jobsLock)
            {
                return _jobs;
            }
        }
    }

    /// <summary>Runs <paramref name="job"/> once the jobs before it have ended.</summary>
    internal void RunAfter(Func<Task> job)
    {
        lock (_jobsLock)
        {
            Task previous = _jobs;
            _jobs = previous.IsCompletedSuccessfully ? job() : ChainAsync(previous, job);
        }
    }

    private static async Task ChainAsync(Task previous, Func<Task> job)
    {
        try
        {
            await previous.ConfigureAwait(false);
        }
        finally
        {
            await job().ConfigureAwait(false);
        }
    }


    /// <summary>The connection's pump reports bytes it has written and flushed.</summary>
    internal void OnFlushed(int bytes)
    {
        long total = Interlocked.Add(ref _flushed, bytes);
        TaskCompletionSource<bool>? reached = null;
        lock (_flushLock)
        {
            if (_flushWaiter is not null && total >= _flushTarget)
            {
                reached = _flushWaiter;
                _flushWaiter = null;
            }
        }

        reached?.TrySetResult(true);
    }

    /// <summary>The connection writes nothing more for this session: whoever waits for a flush hears false.</summary>
    internal void OnOutputStopped()
    {
        TaskCompletionSource<bool>? waiter;
        lock (_flushLock)
        {
            _outputStopped = true;
            waiter = _flushWaiter;
            _flushWaiter = null;
        }

        waiter?.TrySetResult(false);
    }

    /// <summary>
    /// Completes with true once the output has been flushed up to <paramref name="position"/>, or with false when the
    /// connection stops writing first. One waiter at a time (the offline delivery).
    /// </summary>
    internal Task<bool> WhenFlushedAsync(long position)
    {
        lock (_flushLock)
        {
            if (FlushedBytes >= position)
            {
                return Task.FromResult(true);
            }

            if (_outputStopped)
            {
                return Task.FromResult(false);
            }

            _flushWaiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _flushTarget = position;
            return _flushWaiter.Task;
        }
    }

    public bool Deliver(in RoutedStanza stanza)
    {
        DeliveryWitness.Record(this);
        if (!stanza.Xmpp.IsEmpty)
        {
            return Send(stanza.Xmpp);
        }

        // A sender that does not speak XMPP (a device, a GPIO pin, a Matrix user): the element is built from the
        // neutral fields. Probes and iqs from such senders have no XMPP meaning for a client and are dropped.
        ArrayBufferWriter<byte> buffer = t_copy ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        switch (stanza.Kind)
        {
            case StanzaKind.Message:
                NeutralStanzas.WriteMessage(buffer, stanza);
                return SendAndTrim(buffer, ref t_copy);
            case StanzaKind.Presence when stanza.PresenceType is not PresenceType.Probe:
                NeutralStanzas.WritePresence(buffer, stanza);
                return SendAndTrim(buffer, ref t_copy);
            default:
                return true;
        }
    }

    // A thread's buffer that one large message (a 60 KB Matrix body) grew is let go, so that no thread keeps it.
    private bool SendAndTrim(ArrayBufferWriter<byte> buffer, ref ArrayBufferWriter<byte>? slot)
    {
        bool sent = Send(buffer.WrittenSpan);
        if (buffer.Capacity > RetainedScratchBytes)
        {
            slot = null;
        }

        return sent;
    }

    private const int RetainedScratchBytes = 64 * 1024;

    public void DeliverCopy(in RoutedStanza stanza, CopyKind kind)
    {
        if (!_carbons || stanza.Kind != StanzaKind.Message)
        {
            return;
        }

        // A message written on another protocol (a Matrix client of this account or of a contact) has no XMPP bytes:
        // the forwarded message is built from its neutral fields.
        ReadOnlySpan<byte> original = stanza.Xmpp;
        if (original.IsEmpty)
        {
            ArrayBufferWriter<byte> inner = t_forwarded ??= new ArrayBufferWriter<byte>(1024);
            inner.ResetWrittenCount();
            NeutralStanzas.WriteMessage(inner, stanza);
            original = inner.WrittenSpan;
        }

        // XEP-0280 6 and 7: the copy is a message from the bare account to this resource, of the original's type,
        // wrapping the original.
        ArrayBufferWriter<byte> buffer = t_copy ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        ReadOnlySpan<byte> name = kind == CopyKind.Sent ? "sent"u8 : "received"u8;
        var writer = new XmlStanzaWriter(buffer);
        writer.WriteStartElement("message"u8, Ns.Client);
        writer.WriteAttribute("from"u8, BareUtf8);
        writer.WriteAttribute("to"u8, _full);
        writer.WriteAttribute("type"u8, StanzaTypes.Name(stanza.MessageType));
        writer.WriteStartElement(name, Ns.Carbons);
        writer.WriteStartElement("forwarded"u8, Ns.Forward);
        writer.WriteRaw(original);
        writer.WriteEndElement("forwarded"u8);
        writer.WriteEndElement(name);
        writer.WriteEndElement("message"u8);
        SendAndTrim(buffer, ref t_copy);
        if (t_forwarded is { Capacity: > RetainedScratchBytes })
        {
            t_forwarded = null;
        }
    }

    public void Close(TargetCloseReason reason) => _owner.RequestClose(reason);

    public override string ToString() => FullJid;
}
