namespace EdgeNode.Devices.Tests;

public class ValueTemplateTests
{
    [Theory]
    [InlineData("{{ value }}", "21.5", "21.5")]
    [InlineData("{{value_json.temp}}", """{"temp":21.5}""", "21.5")]
    [InlineData("{{ value_json.a.b }}", """{"a":{"b":"x"}}""", "x")]
    [InlineData("{{ value_json['temp'] }}", """{"temp":3}""", "3")]
    [InlineData("{{ value_json[\"a b\"] }}", """{"a b":true}""", "true")]
    [InlineData("{{ value | float }}", "4.50", "4.5")]
    [InlineData("{{ value_json.t | float | round(1) }}", """{"t":21.549}""", "21.5")]
    [InlineData("{{ value_json.t | round }}", """{"t":21.6}""", "22")]
    [InlineData("{{ value_json.t | int }}", """{"t":"21.9"}""", "21")]
    public void TryApply_SimpleForms_Evaluate(string template, string payload, string expected)
    {
        Assert.True(ValueTemplate.TryApply(template, payload, out var result));
        Assert.Equal(expected, result);
    }

    [Theory]
    [InlineData("{{ value_json.missing }}", """{"t":1}""")]
    [InlineData("{{ value_json.t }}", "not json")]
    [InlineData("{{ value | float }}", "abc")]
    public void TryApply_ValueAbsent_EvaluatesToNull(string template, string payload)
    {
        Assert.True(ValueTemplate.TryApply(template, payload, out var result));
        Assert.Null(result);
    }

    [Theory]
    [InlineData("{% if value == '1' %}on{% endif %}")]
    [InlineData("{{ value_json.t * 10 }}")]
    [InlineData("{{ value | lower }}")]
    [InlineData("{{ states('sensor.x') }}")]
    [InlineData("prefix {{ value }}")]
    [InlineData("{{ value_json[0] }}")]
    public void TryApply_BeyondSubset_ReturnsFalse(string template)
    {
        Assert.False(ValueTemplate.TryApply(template, "{\"t\":1}", out _));
    }
}
