namespace EdgeNode.Xmpp.Xml;

/// <summary>How raw bytes turn into a value: which references and normalizations of XML 1.0 apply.</summary>
internal enum XmlValueKind : byte
{
    /// <summary>Character data: predefined entities, line ends normalized to LF (XML 1.0 section 2.11).</summary>
    Text,

    /// <summary>CDATA section content: line ends normalized only.</summary>
    CData,

    /// <summary>Attribute value: predefined entities, tab, CR and LF become spaces (XML 1.0 section 3.3.3).</summary>
    Attribute,
}
