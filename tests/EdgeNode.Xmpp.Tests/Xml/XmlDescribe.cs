using System.Text;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Xmpp.Tests.Xml;

/// <summary>A canonical text form of a parsed tree, for comparing trees in tests.</summary>
internal static class XmlDescribe
{
    public static string Element(XmlElement element)
    {
        var builder = new StringBuilder();
        Append(builder, element);
        return builder.ToString();
    }

    public static string Event(ref XmlStreamReader reader) => reader.Event switch
    {
        XmlStreamEvent.StreamHeader => "header:" + Header(reader.Element),
        XmlStreamEvent.Stanza => "stanza:" + Element(reader.Element),
        _ => reader.Event.ToString(),
    };

    private static string Header(XmlElement header)
    {
        var builder = new StringBuilder();
        builder.Append('{').Append(Utf8(header.NamespaceUri)).Append('}').Append(Utf8(header.LocalName));
        AppendAttributes(builder, header);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, XmlElement element)
    {
        builder.Append('{').Append(Utf8(element.NamespaceUri)).Append('}').Append(Utf8(element.LocalName));
        AppendAttributes(builder, element);
        builder.Append('(');
        string text = element.Text.GetString();
        if (text.Length > 0)
        {
            builder.Append('"').Append(text).Append('"');
        }

        foreach (XmlElement child in element.Children)
        {
            Append(builder, child);
        }

        builder.Append(')');
    }

    private static void AppendAttributes(StringBuilder builder, XmlElement element)
    {
        builder.Append('[');
        foreach (XmlAttribute attribute in element.Attributes)
        {
            builder.Append('{').Append(Utf8(attribute.NamespaceUri)).Append('}').Append(Utf8(attribute.LocalName))
                .Append('=').Append(attribute.Value.GetString()).Append(';');
        }

        builder.Append(']');
    }

    private static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
