using System.Buffers;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeNode.Core.Devices;

namespace EdgeNode.Devices;

/// <summary>Commands for discovered entities, published to the topics and with the payloads their config names.</summary>
internal static partial class HaCommands
{
    public static MqttPublication? Translate(HaEntity entity, Device device, DeviceCommand command)
    {
        var kind = entity.Capability.Kind;
        var attribute = command.Attribute;
        switch (command.Action)
        {
            case CommandAction.On or CommandAction.Off when kind is CapabilityKind.Switch or CapabilityKind.Light:
                var on = command.Action == CommandAction.On;
                return entity.JsonSchema
                    ? Json(entity.CommandTopic, w => w.WriteString("state", on ? "ON" : "OFF"))
                    : Plain(entity.CommandTopic, on ? entity.PayloadOn : entity.PayloadOff);
            case CommandAction.Toggle when kind is CapabilityKind.Switch or CapabilityKind.Light:
                // Discovery has no toggle payload: invert the last known state, refuse without one.
                if (device.ReadingOf(entity.ObjectId)?.Value.Flag is not { } current) return null;
                return Translate(entity, device, command with { Action = current ? CommandAction.Off : CommandAction.On });
            case CommandAction.Set when attribute == ReadingAttributes.Brightness && command.Value?.Number is { } percent:
                var level = JsonPayload.Round(percent * entity.BrightnessScale / 100);
                return entity.JsonSchema
                    ? Json(entity.CommandTopic, w => { w.WriteString("state", level > 0 ? "ON" : "OFF"); w.WriteNumber("brightness", level); })
                    : Plain(entity.BrightnessCommandTopic, level.ToString());
            case CommandAction.Set when attribute == ReadingAttributes.ColorTemperature && command.Value?.Number is { } mireds:
                return entity.JsonSchema
                    ? Json(entity.CommandTopic, w => { w.WriteString("state", "ON"); w.WriteNumber("color_temp", JsonPayload.Round(mireds)); })
                    : Plain(entity.ColorTempCommandTopic, JsonPayload.Round(mireds).ToString());
            case CommandAction.Set when attribute == ReadingAttributes.Position && command.Value?.Number is { } position:
                return Plain(entity.SetPositionTopic, JsonPayload.Round(position).ToString());
            case CommandAction.Open when kind == CapabilityKind.Cover:
                return Plain(entity.CommandTopic, entity.PayloadOpen);
            case CommandAction.Close when kind == CapabilityKind.Cover:
                return Plain(entity.CommandTopic, entity.PayloadClose);
            case CommandAction.Stop when kind == CapabilityKind.Cover:
                return Plain(entity.CommandTopic, entity.PayloadStop);
            case CommandAction.Press when kind == CapabilityKind.Button:
                return Plain(entity.CommandTopic, entity.PayloadPress, idempotent: false);
            case CommandAction.Set when attribute is null && kind is CapabilityKind.Number or CapabilityKind.Select && command.Value is { } value:
                var text = value.Number is { } n ? JsonPayload.Format(n) : value.Text;
                return ApplyCommandTemplate(entity.CommandTemplate, text) is { } payload ? Plain(entity.CommandTopic, payload) : null;
            default:
                return null;
        }
    }

    /// <summary>Only templates that place the value ("{{ value }}") are evaluated; others make the command unsupported.</summary>
    private static string? ApplyCommandTemplate(string? template, string value)
    {
        if (template is null) return value;
        var result = ValuePlaceholder().Replace(template, value);
        return result.Contains("{{", StringComparison.Ordinal) || result.Contains("{%", StringComparison.Ordinal) ? null : result;
    }

    [GeneratedRegex(@"\{\{\s*value\s*\}\}")]
    private static partial Regex ValuePlaceholder();

    private static MqttPublication? Plain(string? topic, string payload, bool idempotent = true) =>
        topic is null ? null : MqttPublication.Command(topic, payload, idempotent);

    private static MqttPublication? Json(string? topic, Action<Utf8JsonWriter> body)
    {
        if (topic is null) return null;
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return new MqttPublication(topic, buffer.WrittenSpan.ToArray(), 1);
    }
}
