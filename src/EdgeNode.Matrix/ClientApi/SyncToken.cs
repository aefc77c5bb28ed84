using System.Globalization;
using EdgeNode.Matrix.ClientApi.Handlers;

namespace EdgeNode.Matrix.ClientApi;

/// <summary>
/// A /sync token: the stream position the response covers ("s" and the number, which /messages also takes) and,
/// when to-device messages up to that position did not all fit in the response, "_" and the position of the last
/// to-device message it carried. Presenting the token acknowledges the to-device messages up to that second position.
/// </summary>
public readonly record struct SyncToken(long Position, long ToDevice)
{
    public override string ToString() => ToDevice >= Position
        ? EventHandlers.Token(Position)
        : EventHandlers.Token(Position) + "_" + ToDevice.ToString(CultureInfo.InvariantCulture);

    /// <summary>The token, null for none; M_INVALID_PARAM when it is not one of this server's.</summary>
    public static SyncToken? Parse(string? text)
    {
        if (text is null) return null;
        var position = EventHandlers.ParseToken(text)!.Value;
        var fields = text.Split('_');
        if (fields.Length < 2) return new SyncToken(position, position);
        if (!long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var toDevice))
            throw MatrixException.InvalidParam($"'{text}' is not a sync token of this server");
        return new SyncToken(position, Math.Min(toDevice, position));
    }
}
