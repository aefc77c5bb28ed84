using EdgeNode.Mqtt.Codec;

namespace EdgeNode.Mqtt.Tests.Codec.Support;

/// <summary>
/// Packets worked out by hand from the OASIS specifications (MQTT 3.1.1 chapter 3, MQTT 5.0 chapter 3).
/// The first line of each is the fixed header: type/flags byte, then Remaining Length.
/// </summary>
internal static class GoldenPackets
{
    // ---- MQTT 3.1.1 ----

    public static readonly byte[] V311Connect = Hex.Parse(
        "10 1A" +            // CONNECT, remaining 26
        "00 04 4D 51 54 54" + // protocol name "MQTT"
        "04" +                // level 4 = 3.1.1
        "EE" +                // flags: user name, password, will retain, will QoS 1, will, clean session
        "00 3C" +             // keep alive 60 s
        "00 02 63 31" +       // client id "c1"
        "00 01 77" +          // will topic "w"
        "00 01 78" +          // will message "x"
        "00 01 75" +          // user name "u"
        "00 01 70");          // password "p"

    public static readonly byte[] V311ConnAck = Hex.Parse("20 02 01 00");     // session present, accepted
    public static readonly byte[] V311ConnAckRefused = Hex.Parse("20 02 00 05"); // return code 5: not authorized

    public static readonly byte[] V311PublishQos0 = Hex.Parse(
        "30 07" +             // PUBLISH, QoS 0, remaining 7
        "00 03 61 2F 62" +    // topic "a/b"
        "68 69");             // payload "hi"

    public static readonly byte[] V311PublishQos1RetainDup = Hex.Parse(
        "3B 09" +             // PUBLISH: DUP (8) | QoS 1 (2) | RETAIN (1)
        "00 03 61 2F 62" +    // topic "a/b"
        "00 0A" +             // packet id 10
        "68 69");             // payload "hi"

    public static readonly byte[] V311PubAck = Hex.Parse("40 02 00 0A");
    public static readonly byte[] V311PubRec = Hex.Parse("50 02 00 0A");
    public static readonly byte[] V311PubRel = Hex.Parse("62 02 00 0A"); // flags 0010 are required
    public static readonly byte[] V311PubComp = Hex.Parse("70 02 00 0A");

    public static readonly byte[] V311Subscribe = Hex.Parse(
        "82 0C" +             // SUBSCRIBE, flags 0010, remaining 12
        "00 01" +             // packet id 1
        "00 03 61 2F 2B 01" + // "a/+" requested QoS 1
        "00 01 23 00");       // "#" requested QoS 0

    public static readonly byte[] V311SubAck = Hex.Parse("90 04 00 01 01 80"); // id 1: granted QoS 1, failure

    public static readonly byte[] V311Unsubscribe = Hex.Parse(
        "A2 07" +             // UNSUBSCRIBE, flags 0010, remaining 7
        "00 02" +             // packet id 2
        "00 03 61 2F 2B");    // "a/+"

    public static readonly byte[] V311UnsubAck = Hex.Parse("B0 02 00 02");
    public static readonly byte[] PingReq = Hex.Parse("C0 00");
    public static readonly byte[] PingResp = Hex.Parse("D0 00");
    public static readonly byte[] V311Disconnect = Hex.Parse("E0 00");

    // ---- MQTT 5.0 ----

    public static readonly byte[] V5Connect = Hex.Parse(
        "10 35" +                   // CONNECT, remaining 53
        "00 04 4D 51 54 54 05" +    // "MQTT", level 5
        "86" +                      // flags: user name, will (QoS 0, no retain), clean start
        "00 3C" +                   // keep alive 60 s
        "17" +                      // property length 23
        "11 00 00 0E 10" +          //   session expiry interval 3600
        "21 00 14" +                //   receive maximum 20
        "22 00 0A" +                //   topic alias maximum 10
        "26 00 01 6B 00 01 76" +    //   user property k=v
        "27 00 10 00 00" +          //   maximum packet size 1 MiB
        "00 02 63 31" +             // client id "c1"
        "05 18 00 00 00 05" +       // will properties: length 5, will delay interval 5
        "00 01 77" +                // will topic "w"
        "00 01 78" +                // will payload "x"
        "00 01 75");                // user name "u" (no password)

    public static readonly byte[] V5ConnAck = Hex.Parse(
        "20 0B" +                   // CONNACK, remaining 11
        "00 00" +                   // no session present, success
        "08" +                      // property length 8
        "12 00 02 69 64" +          //   assigned client identifier "id"
        "22 00 05");                //   topic alias maximum 5

    public static readonly byte[] V5ConnAckRefused = Hex.Parse("20 03 00 87 00"); // not authorized, no properties

    public static readonly byte[] V5PublishQos0 = Hex.Parse(
        "30 08" +                   // PUBLISH QoS 0, remaining 8
        "00 03 61 2F 62" +          // topic "a/b"
        "00" +                      // no properties
        "68 69");                   // payload "hi"

    public static readonly byte[] V5PublishQos1WithProperties = Hex.Parse(
        "32 1B" +                   // PUBLISH QoS 1, remaining 27
        "00 03 61 2F 62" +          // topic "a/b"
        "00 07" +                   // packet id 7
        "11" +                      // property length 17
        "01 01" +                   //   payload format indicator: UTF-8
        "02 00 00 00 3C" +          //   message expiry interval 60
        "23 00 03" +                //   topic alias 3
        "26 00 01 6B 00 01 76" +    //   user property k=v
        "68 69");                   // payload "hi"

    public static readonly byte[] V5PubAckShort = Hex.Parse("40 02 00 07");             // success may omit the reason
    public static readonly byte[] V5PubAckNoSubscribers = Hex.Parse("40 03 00 07 10");  // reason 0x10, no properties
    public static readonly byte[] V5PubAckWithReasonString = Hex.Parse(
        "40 09 00 07" +             // PUBACK id 7
        "97" +                      // quota exceeded
        "05 1F 00 02 6E 6F");       // property length 5: reason string "no"

    public static readonly byte[] V5PubRec = Hex.Parse("50 03 00 07 80");  // unspecified error
    public static readonly byte[] V5PubRel = Hex.Parse("62 03 00 07 92");  // packet identifier not found
    public static readonly byte[] V5PubComp = Hex.Parse("70 02 00 07");

    public static readonly byte[] V5Subscribe = Hex.Parse(
        "82 19" +                   // SUBSCRIBE, flags 0010, remaining 25
        "00 01" +                   // packet id 1
        "03 0B C8 01" +             // property length 3: subscription identifier 200 (VBI C8 01)
        "00 03 61 2F 2B" +          // "a/+"
        "2D" +                      //   options: retain handling 2, retain as published, no local, QoS 1
        "00 0A 24 73 68 61 72 65 2F 67 2F 78" + // "$share/g/x"
        "00");                      //   options: QoS 0

    public static readonly byte[] V5SubAck = Hex.Parse(
        "90 0A 00 01" +             // SUBACK id 1, remaining 10
        "05 1F 00 02 6F 6B" +       // property length 5: reason string "ok"
        "01 8F");                   // granted QoS 1, topic filter invalid

    public static readonly byte[] V5Unsubscribe = Hex.Parse("A2 08 00 02 00 00 03 61 2F 2B"); // id 2, no properties, "a/+"
    public static readonly byte[] V5UnsubAck = Hex.Parse("B0 05 00 02 00 00 11");             // id 2, no properties, success, no subscription existed
    public static readonly byte[] V5DisconnectNormal = Hex.Parse("E0 00");
    public static readonly byte[] V5DisconnectWithWill = Hex.Parse("E0 01 04");
    public static readonly byte[] V5DisconnectTakenOver = Hex.Parse(
        "E0 06" +                   // DISCONNECT, remaining 6
        "8E" +                      // session taken over
        "04 1F 00 01 78");          // property length 4: reason string "x"

    public static readonly byte[] V5AuthSuccess = Hex.Parse("F0 00");
    public static readonly byte[] V5AuthContinue = Hex.Parse(
        "F0 06" +                   // AUTH, remaining 6
        "18" +                      // continue authentication
        "04 15 00 01 6D");          // property length 4: authentication method "m"

    public static IEnumerable<(string Name, MqttProtocolVersion Version, byte[] Bytes)> All()
    {
        yield return (nameof(V311Connect), MqttProtocolVersion.V311, V311Connect);
        yield return (nameof(V311ConnAck), MqttProtocolVersion.V311, V311ConnAck);
        yield return (nameof(V311ConnAckRefused), MqttProtocolVersion.V311, V311ConnAckRefused);
        yield return (nameof(V311PublishQos0), MqttProtocolVersion.V311, V311PublishQos0);
        yield return (nameof(V311PublishQos1RetainDup), MqttProtocolVersion.V311, V311PublishQos1RetainDup);
        yield return (nameof(V311PubAck), MqttProtocolVersion.V311, V311PubAck);
        yield return (nameof(V311PubRec), MqttProtocolVersion.V311, V311PubRec);
        yield return (nameof(V311PubRel), MqttProtocolVersion.V311, V311PubRel);
        yield return (nameof(V311PubComp), MqttProtocolVersion.V311, V311PubComp);
        yield return (nameof(V311Subscribe), MqttProtocolVersion.V311, V311Subscribe);
        yield return (nameof(V311SubAck), MqttProtocolVersion.V311, V311SubAck);
        yield return (nameof(V311Unsubscribe), MqttProtocolVersion.V311, V311Unsubscribe);
        yield return (nameof(V311UnsubAck), MqttProtocolVersion.V311, V311UnsubAck);
        yield return (nameof(PingReq), MqttProtocolVersion.V311, PingReq);
        yield return (nameof(PingResp), MqttProtocolVersion.V311, PingResp);
        yield return (nameof(V311Disconnect), MqttProtocolVersion.V311, V311Disconnect);
        yield return (nameof(V5Connect), MqttProtocolVersion.V500, V5Connect);
        yield return (nameof(V5ConnAck), MqttProtocolVersion.V500, V5ConnAck);
        yield return (nameof(V5ConnAckRefused), MqttProtocolVersion.V500, V5ConnAckRefused);
        yield return (nameof(V5PublishQos0), MqttProtocolVersion.V500, V5PublishQos0);
        yield return (nameof(V5PublishQos1WithProperties), MqttProtocolVersion.V500, V5PublishQos1WithProperties);
        yield return (nameof(V5PubAckShort), MqttProtocolVersion.V500, V5PubAckShort);
        yield return (nameof(V5PubAckNoSubscribers), MqttProtocolVersion.V500, V5PubAckNoSubscribers);
        yield return (nameof(V5PubAckWithReasonString), MqttProtocolVersion.V500, V5PubAckWithReasonString);
        yield return (nameof(V5PubRec), MqttProtocolVersion.V500, V5PubRec);
        yield return (nameof(V5PubRel), MqttProtocolVersion.V500, V5PubRel);
        yield return (nameof(V5PubComp), MqttProtocolVersion.V500, V5PubComp);
        yield return (nameof(V5Subscribe), MqttProtocolVersion.V500, V5Subscribe);
        yield return (nameof(V5SubAck), MqttProtocolVersion.V500, V5SubAck);
        yield return (nameof(V5Unsubscribe), MqttProtocolVersion.V500, V5Unsubscribe);
        yield return (nameof(V5UnsubAck), MqttProtocolVersion.V500, V5UnsubAck);
        yield return (nameof(V5DisconnectNormal), MqttProtocolVersion.V500, V5DisconnectNormal);
        yield return (nameof(V5DisconnectWithWill), MqttProtocolVersion.V500, V5DisconnectWithWill);
        yield return (nameof(V5DisconnectTakenOver), MqttProtocolVersion.V500, V5DisconnectTakenOver);
        yield return (nameof(V5AuthSuccess), MqttProtocolVersion.V500, V5AuthSuccess);
        yield return (nameof(V5AuthContinue), MqttProtocolVersion.V500, V5AuthContinue);
    }

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var packet in All())
        {
            data.Add(packet.Name);
        }

        return data;
    }

    public static (MqttProtocolVersion Version, byte[] Bytes) Get(string name)
    {
        var packet = All().Single(p => p.Name == name);
        return (packet.Version, packet.Bytes);
    }
}
