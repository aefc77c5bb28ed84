namespace EdgeNode.Xmpp.Xml;

/// <summary>
/// The peer sent something the stream cannot continue after. The connection answers with the stream
/// error named by <see cref="Condition"/> and closes.
/// </summary>
public sealed class XmlStreamException : Exception
{
    public XmlStreamException(XmlStreamErrorCondition condition, string message)
        : base(message)
    {
        Condition = condition;
    }

    public XmlStreamErrorCondition Condition { get; }
}
