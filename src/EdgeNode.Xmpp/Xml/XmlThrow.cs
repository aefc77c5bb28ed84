using System.Diagnostics.CodeAnalysis;

namespace EdgeNode.Xmpp.Xml;

// Kept out of the parsing methods so that their bodies stay small enough to inline and stay in cache.
internal static class XmlThrow
{
    [DoesNotReturn]
    public static void NotWellFormed(string reason) =>
        throw new XmlStreamException(XmlStreamErrorCondition.NotWellFormed, reason);

    [DoesNotReturn]
    public static void RestrictedXml(string reason) =>
        throw new XmlStreamException(XmlStreamErrorCondition.RestrictedXml, reason);

    [DoesNotReturn]
    public static void PolicyViolation(string reason) =>
        throw new XmlStreamException(XmlStreamErrorCondition.PolicyViolation, reason);

    [DoesNotReturn]
    public static void InvalidNamespace(string reason) =>
        throw new XmlStreamException(XmlStreamErrorCondition.InvalidNamespace, reason);

    [DoesNotReturn]
    public static void BadFormat(string reason) =>
        throw new XmlStreamException(XmlStreamErrorCondition.BadFormat, reason);

    [DoesNotReturn]
    public static void UnsupportedEncoding(string reason) =>
        throw new XmlStreamException(XmlStreamErrorCondition.UnsupportedEncoding, reason);

    [DoesNotReturn]
    public static void InvalidArgumentText(string paramName) =>
        throw new ArgumentException("The value is not valid UTF-8 or holds a character XML 1.0 does not allow.", paramName);

    [DoesNotReturn]
    public static void InvalidArgumentName(string paramName) =>
        throw new ArgumentException("The value is not an XML name.", paramName);

    [DoesNotReturn]
    public static void InvalidWriterState(string reason) =>
        throw new InvalidOperationException(reason);

    [DoesNotReturn]
    public static void DestinationTooShort(string paramName) =>
        throw new ArgumentException("The destination is shorter than the decoded value.", paramName);

    [DoesNotReturn]
    public static void NoElement() =>
        throw new InvalidOperationException("The last Read did not produce a stream header or a stanza.");
}
