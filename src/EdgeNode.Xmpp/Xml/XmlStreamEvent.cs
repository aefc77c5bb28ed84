namespace EdgeNode.Xmpp.Xml;

public enum XmlStreamEvent : byte
{
    None,

    /// <summary>The stream's open tag; <see cref="XmlStreamReader.Element"/> views it (attributes only).</summary>
    StreamHeader,

    /// <summary>A complete first-level element; <see cref="XmlStreamReader.Element"/> views it.</summary>
    Stanza,

    /// <summary>The stream's close tag.</summary>
    StreamEnd,
}
