using System.Text;
using System.Text.Json.Nodes;
using EdgeNode.Matrix.Events;

namespace EdgeNode.Matrix.Tests.Events;

public class PduTests
{
    // Found by fuzzing (tests/fuzz, matrix-event): JsonNode.Parse keeps text that is not valid UTF-8 until it is read,
    // and FromJson then threw InvalidOperationException instead of refusing the event as malformed.
    private static JsonObject Parse(string before, byte invalid, string after) =>
        JsonNode.Parse([.. Encoding.UTF8.GetBytes(before), invalid, .. Encoding.UTF8.GetBytes(after)])!.AsObject();

    [Fact]
    public void FromJson_KeyNotValidUtf8_ThrowsFormatException()
    {
        JsonObject json = Parse("{\"type\":\"m.room.message\",\"sender\":\"@u:d\",\"content\":{\"b", 0xC7, "\":1}}");

        var exception = Assert.Throws<FormatException>(() => Pdu.FromJson(json, "$e"));

        Assert.Contains("UTF-8", exception.Message);
    }

    [Fact]
    public void FromJson_StringValueNotValidUtf8_ThrowsFormatException()
    {
        JsonObject json = Parse("{\"type\":\"m.room.member\",\"state_key\":\"@u:d\",\"sender\":\"@u", 0xFF, ":d\",\"content\":{}}");

        var exception = Assert.Throws<FormatException>(() => Pdu.FromJson(json, "$e"));

        Assert.Contains("UTF-8", exception.Message);
    }

    [Fact]
    public void FromJson_ValidEvent_ReadsTypeAndSender()
    {
        JsonObject json = JsonNode.Parse("{\"type\":\"m.room.message\",\"sender\":\"@u:d\",\"origin_server_ts\":1,\"content\":{\"body\":\"h\u00e9\"}}")!.AsObject();

        Pdu pdu = Pdu.FromJson(json, "$e");

        Assert.Equal("m.room.message", pdu.Type);
        Assert.Equal("@u:d", pdu.Sender);
    }
}
