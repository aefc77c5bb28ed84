namespace EdgeNode.Core.Configuration;

public enum ListenerProtocol { XmppClient, XmppServer, Http, Mqtt }

/// <summary>What is served on one configured port. The one table of the node's listeners: every list of keys and ports derives from it.</summary>
public sealed record ListenerPlan(string Key, int Port, ListenerProtocol Protocol, bool Tls)
{
    /// <summary>The key of the listener that answers ACME HTTP-01 challenges and nothing else.</summary>
    public const string AcmeHttpPortKey = "Tls:Acme:HttpPort";

    public static IEnumerable<ListenerPlan> For(NodeOptions options)
    {
        ListenerPlan[] all =
        [
            new("Xmpp:C2sPort", options.Xmpp.C2sPort, ListenerProtocol.XmppClient, Tls: false),
            new("Xmpp:C2sDirectTlsPort", options.Xmpp.C2sDirectTlsPort, ListenerProtocol.XmppClient, Tls: true),
            new("Xmpp:S2sPort", options.Xmpp.S2sPort, ListenerProtocol.XmppServer, Tls: false),
            new("Xmpp:S2sDirectTlsPort", options.Xmpp.S2sDirectTlsPort, ListenerProtocol.XmppServer, Tls: true),
            new("Http:Port", options.Http.Port, ListenerProtocol.Http, Tls: false),
            new("Http:FederationPort", options.Http.FederationPort, ListenerProtocol.Http, Tls: true),
            new("Mqtt:Port", options.Mqtt.Port, ListenerProtocol.Mqtt, Tls: false),
            new("Mqtt:TlsPort", options.Mqtt.TlsPort, ListenerProtocol.Mqtt, Tls: true),
            // Opened only while ACME is on, and serving only the HTTP-01 challenges there.
            new(AcmeHttpPortKey, options.Tls.Acme.Enabled ? options.Tls.Acme.HttpPort : 0, ListenerProtocol.Http, Tls: false),
        ];
        return all.Where(l => l.Port != 0);
    }
}
