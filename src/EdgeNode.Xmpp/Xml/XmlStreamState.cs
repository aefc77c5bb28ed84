namespace EdgeNode.Xmpp.Xml;

/// <summary>
/// What a reader must remember between reads of one connection. Copy it out of the reader after the
/// last <see cref="XmlStreamReader.Read"/> and pass it to the next reader. The default value is the
/// start of a stream; assign <see langword="default"/> again for a stream restart (after STARTTLS or SASL).
/// </summary>
public struct XmlStreamState
{
    internal StreamPhase Phase;

    // The fields below describe a unit (header or stanza) that is only partly buffered, so that the next
    // read resumes the scan where this one stopped instead of rescanning from the unit's first byte.
    internal ScanMode Mode;
    internal byte Quote;
    internal int Depth;
    internal int Offset;

    public readonly bool IsStreamOpen => Phase == StreamPhase.InStream;

    public readonly bool IsStreamEnded => Phase == StreamPhase.Ended;
}

internal enum StreamPhase : byte
{
    Start,
    Prolog,
    InStream,
    Ended,
}

internal enum ScanMode : byte
{
    None,
    Text,
    StartTag,
    AttributeValue,
    EndTag,
    CData,
}
