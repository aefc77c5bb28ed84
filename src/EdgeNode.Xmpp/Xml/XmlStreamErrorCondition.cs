namespace EdgeNode.Xmpp.Xml;

/// <summary>The RFC 6120 section 4.9.3 stream error a reader failure maps to.</summary>
public enum XmlStreamErrorCondition : byte
{
    BadFormat,
    InvalidNamespace,
    NotWellFormed,
    PolicyViolation,
    RestrictedXml,
    UnsupportedEncoding,
}

public static class XmlStreamErrorConditions
{
    /// <summary>The element name of the condition inside &lt;stream:error/&gt;.</summary>
    public static ReadOnlySpan<byte> GetName(XmlStreamErrorCondition condition) => condition switch
    {
        XmlStreamErrorCondition.BadFormat => "bad-format"u8,
        XmlStreamErrorCondition.InvalidNamespace => "invalid-namespace"u8,
        XmlStreamErrorCondition.NotWellFormed => "not-well-formed"u8,
        XmlStreamErrorCondition.PolicyViolation => "policy-violation"u8,
        XmlStreamErrorCondition.RestrictedXml => "restricted-xml"u8,
        XmlStreamErrorCondition.UnsupportedEncoding => "unsupported-encoding"u8,
        _ => "undefined-condition"u8,
    };
}
