using System.Text.Json;

namespace EdgeNode.Devices;

/// <summary>
/// Reads discovery options by full name or by the abbreviation devices use to save bytes, with the "~" base topic
/// expanded, and with device-level discovery's shared options as a fallback.
/// </summary>
internal readonly struct HaKeys(JsonElement entity, JsonElement? shared)
{
    private static readonly Dictionary<string, string> Abbreviations = new(StringComparer.Ordinal)
    {
        ["state_topic"] = "stat_t", ["command_topic"] = "cmd_t", ["availability_topic"] = "avty_t", ["availability"] = "avty",
        ["availability_mode"] = "avty_mode", ["payload_available"] = "pl_avail", ["payload_not_available"] = "pl_not_avail",
        ["payload_on"] = "pl_on", ["payload_off"] = "pl_off", ["state_on"] = "stat_on", ["state_off"] = "stat_off",
        ["value_template"] = "val_tpl", ["unit_of_measurement"] = "unit_of_meas", ["device_class"] = "dev_cla",
        ["unique_id"] = "uniq_id", ["device"] = "dev", ["origin"] = "o", ["identifiers"] = "ids", ["manufacturer"] = "mf",
        ["model"] = "mdl", ["sw_version"] = "sw", ["brightness_state_topic"] = "bri_stat_t", ["brightness_command_topic"] = "bri_cmd_t",
        ["brightness_scale"] = "bri_scl", ["brightness_value_template"] = "bri_val_tpl", ["color_temp_state_topic"] = "clr_temp_stat_t",
        ["color_temp_command_topic"] = "clr_temp_cmd_t", ["position_topic"] = "pos_t", ["set_position_topic"] = "set_pos_t",
        ["payload_open"] = "pl_open", ["payload_close"] = "pl_cls", ["payload_stop"] = "pl_stop", ["payload_press"] = "pl_prs",
        ["state_open"] = "stat_open", ["state_closed"] = "stat_clsd", ["state_opening"] = "stat_opening", ["state_closing"] = "stat_closing",
        ["command_template"] = "cmd_tpl", ["options"] = "ops", ["components"] = "cmps", ["platform"] = "p", ["topic"] = "t",
        ["min"] = "min", ["max"] = "max", ["step"] = "step", ["min_mireds"] = "min_mirs", ["max_mireds"] = "max_mirs",
    };

    public JsonElement? Get(string name)
    {
        var abbreviation = Abbreviations.GetValueOrDefault(name);
        return entity.Property(name) ?? (abbreviation is null ? null : entity.Property(abbreviation))
            ?? shared?.Property(name) ?? (abbreviation is null ? null : shared?.Property(abbreviation));
    }

    public string? String(string name)
    {
        var value = Get(name)?.AsString();
        if (value is null || !name.EndsWith("topic", StringComparison.Ordinal)) return value;
        return ExpandBase(value, Base);
    }

    public double? Number(string name) => Get(name)?.AsNumber();

    private string? Base => entity.String("~") ?? shared?.String("~");

    public static string ExpandBase(string topic, string? baseTopic)
    {
        if (baseTopic is null) return topic;
        if (topic.StartsWith('~')) return baseTopic + topic[1..];
        if (topic.EndsWith('~')) return topic[..^1] + baseTopic;
        return topic;
    }

    public static HaKeys For(JsonElement element) => new(element, null);
}
