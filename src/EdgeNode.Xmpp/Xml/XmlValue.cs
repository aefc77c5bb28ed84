using System.Buffers;
using System.Text;

namespace EdgeNode.Xmpp.Xml;

/// <summary>
/// An attribute value or one run of character data, as a view of the raw bytes. Decoding (references,
/// line ends) happens only when asked for, into the caller's memory.
/// </summary>
public readonly ref struct XmlValue
{
    private readonly ReadOnlySpan<byte> _raw;
    private readonly XmlValueKind _kind;
    private readonly bool _needsDecoding;

    internal XmlValue(ReadOnlySpan<byte> raw, XmlValueKind kind, bool needsDecoding)
    {
        _raw = raw;
        _kind = kind;
        _needsDecoding = needsDecoding;
    }

    /// <summary>The bytes as they were on the wire, references still escaped.</summary>
    public ReadOnlySpan<byte> Raw => _raw;

    /// <summary>False when <see cref="Raw"/> already is the value, so it can be used without copying.</summary>
    public bool NeedsDecoding => _needsDecoding;

    public bool IsEmpty => _raw.IsEmpty;

    public int GetDecodedLength() => _needsDecoding ? XmlDecoding.GetDecodedLength(_raw, _kind) : _raw.Length;

    public bool ValueEquals(ReadOnlySpan<byte> expected)
    {
        if (!_needsDecoding)
        {
            return _raw.SequenceEqual(expected);
        }

        return XmlDecoding.DecodedIsPrefixOf(_raw, _kind, expected, out int matched) && matched == expected.Length;
    }

    public bool TryCopyTo(Span<byte> destination, out int written)
    {
        if (!_needsDecoding)
        {
            written = _raw.Length;
            return _raw.TryCopyTo(destination);
        }

        int length = XmlDecoding.GetDecodedLength(_raw, _kind);
        if (length > destination.Length)
        {
            written = 0;
            return false;
        }

        written = XmlDecoding.Decode(_raw, _kind, destination);
        return true;
    }

    public void WriteTo(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_needsDecoding)
        {
            XmlDecoding.WriteDecoded(_raw, _kind, output);
        }
        else
        {
            output.Write(_raw);
        }
    }

    /// <summary>Allocates; for storage and API boundaries only.</summary>
    public string GetString()
    {
        if (!_needsDecoding)
        {
            return Encoding.UTF8.GetString(_raw);
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(_raw.Length);
        int length = XmlDecoding.Decode(_raw, _kind, buffer);
        string value = Encoding.UTF8.GetString(buffer, 0, length);
        ArrayPool<byte>.Shared.Return(buffer);
        return value;
    }

    public override string ToString() => GetString();
}
