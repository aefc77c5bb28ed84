using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using EdgeNode.Core.Accounts;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Routing;
using EdgeNode.Core.Storage;
using EdgeNode.Core.Tls;
using EdgeNode.Xmpp.Extensions;
using EdgeNode.Xmpp.Offline;
using EdgeNode.Xmpp.Presence;
using EdgeNode.Xmpp.Roster;
using EdgeNode.Xmpp.Sasl;
using EdgeNode.Xmpp.Stanzas;
using EdgeNode.Xmpp.Streams;
using EdgeNode.Xmpp.Xml;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Xmpp;

/// <summary>
/// The XMPP client service of one node: its settings, stores and the services every connection shares, the
/// connections themselves (for timers and a clean shutdown), and the core router it hands stanzas to.
/// </summary>
public sealed class XmppServer : IDisposable
{
    private readonly ConcurrentDictionary<C2sConnection, byte> _connections = new();
    private readonly Timer _timer;
    private readonly Store _store;
    private Func<Jid, bool>? _removeAccount;
    private volatile bool _stopping;
    private readonly ServerCertificate? _presented;
    private readonly bool _ownsPresented;

    public XmppServer(string domain, XmppOptions options, Store store, Router router, X509Certificate2? certificate,
        ILoggerFactory logs, TimeProvider? time = null, LoginThrottle? throttle = null, IReadOnlyList<X509Certificate2>? chain = null,
        ServerCertificate? presented = null)
    {
        Domain = domain.ToLowerInvariant();
        _store = store;
        DomainUtf8 = Encoding.UTF8.GetBytes(Domain);
        Options = options;
        Router = router;
        _ownsPresented = presented is null && certificate is not null;
        _presented = presented ?? (certificate is null ? null : new ServerCertificate(certificate, chain));
        Time = time ?? TimeProvider.System;
        Logger = logs.CreateLogger("EdgeNode.Xmpp");
        Accounts = new AccountStore(store);
        Rosters = new RosterStore(store);
        Offline = new OfflineMessageStore(store, options.OfflineQuota, options.OfflineQuotaBytes, options.OfflineQuotaPerSender);
        OfflineDelivery = new OfflineDelivery(Offline, DomainUtf8, Math.Max(1, options.MaxOutboundBytes / 4));
        VCards = new VCardStore(store);
        Throttle = throttle ?? new LoginThrottle(new LoginOptions(), Time);
        MessagePairs = new PairRateTable(options.MessagesPerSecondToOneRecipient, options.MessageBurstToOneRecipient, Time);
        StreamOptions = new XmlStreamOptions
        {
            MaxStanzaBytes = options.MaxStanzaBytes,
            ContentNamespace = "jabber:client"u8.ToArray(),
        };
        FakeSaltKey = RandomNumberGenerator.GetBytes(32);
        Presence = new PresenceService(this);
        RosterService = new RosterService(this);
        Iq = new IqHandler(this);
        // RFC 6121's delivery rules (priority, carbons, offline storage) are XMPP's, handed to the router here.
        router.UseSessionRules(new XmppSessionRules(Offline, new AccountDirectory(Accounts)));
        _timer = new Timer(static state => ((XmppServer)state!).Tick(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public string Domain { get; }
    public byte[] DomainUtf8 { get; }
    public XmppOptions Options { get; }
    public Router Router { get; }
    /// <summary>The certificate presented now (a renewed one from the next handshake on); null: no TLS.</summary>
    public X509Certificate2? Certificate => _presented?.Certificate;

    /// <summary>The OpenSSL context STARTTLS sessions are made from (the certificate above).</summary>
    internal TlsServerContext? TlsContext => _presented?.OpenSslContext();
    public TimeProvider Time { get; }
    public ILogger Logger { get; }
    public AccountStore Accounts { get; }
    public RosterStore Rosters { get; }
    public OfflineMessageStore Offline { get; }
    internal OfflineDelivery OfflineDelivery { get; }
    public VCardStore VCards { get; }
    public LoginThrottle Throttle { get; }

    /// <summary>The node's buckets for messages from one account to one recipient (Xmpp:MessagesPerSecondToOneRecipient).</summary>
    public PairRateTable MessagePairs { get; }
    public XmlStreamOptions StreamOptions { get; }
    public PresenceService Presence { get; }
    public RosterService RosterService { get; }
    internal IqHandler Iq { get; }
    internal byte[] FakeSaltKey { get; }
    public bool IsStopping => _stopping;

    /// <summary>Client connections open now (the node participant's status reports it).</summary>
    public int ConnectionCount => _connections.Count;

    internal bool Add(C2sConnection connection)
    {
        if (_stopping)
        {
            return false;
        }

        _connections.TryAdd(connection, 0);
        return true;
    }

    internal void Remove(C2sConnection connection) => _connections.TryRemove(connection, out _);

    /// <summary>How an account is removed node-wide (the host's <see cref="AccountRemoval"/>); without it, XEP-0077
    /// cancellation removes the account and what XMPP keeps for it.</summary>
    public void UseAccountRemoval(Func<Jid, bool> remove) => _removeAccount = remove;

    internal bool RemoveAccount(Jid jid) =>
        _removeAccount is { } remove ? remove(jid) : new AccountRemoval(_store, [new XmppAccountHolder(this)]).Remove(jid);

    /// <summary>The accounts logged in on some connection now.</summary>
    internal IEnumerable<string> LoggedInAccounts() =>
        _connections.Keys.Select(c => c.Account).OfType<string>().Distinct(StringComparer.Ordinal);

    /// <summary>Ends every connection logged in as the account (it was removed).</summary>
    internal void CloseAccount(string account)
    {
        foreach (var connection in _connections.Keys)
        {
            if (connection.Account == account)
            {
                connection.RequestClose(TargetCloseReason.AccountRemoved);
            }
        }
    }

    /// <summary>Closes every stream with a system-shutdown stream error (called when the node begins to stop).</summary>
    public void Shutdown()
    {
        _stopping = true;
        foreach (var connection in _connections.Keys)
        {
            connection.RequestClose(TargetCloseReason.Shutdown);
        }
    }

    private void Tick()
    {
        long now = Environment.TickCount64;
        // The pairs, not .Keys: Keys copies every connection into a new list, each second.
        foreach (var (connection, _) in _connections)
        {
            try
            {
                connection.OnTick(now);
            }
            catch (Exception e)
            {
                // A timer callback that throws would end the process; one connection's trouble stays its own.
                XmppLog.HandlerFailed(Logger, "timer", e);
                connection.RequestClose(TargetCloseReason.Overflow);
            }
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        if (_ownsPresented) _presented?.Dispose();
    }

    private sealed class AccountDirectory(AccountStore accounts) : IAccountDirectory
    {
        public bool Exists(string bare) => Jid.TryParse(bare, out var jid) && jid.Local is not null && accounts.Exists(jid);
    }
}
