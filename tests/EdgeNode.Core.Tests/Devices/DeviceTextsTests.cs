using EdgeNode.Core.Devices;

namespace EdgeNode.Core.Tests.Devices;

public class DeviceTextsTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Telemetry_TemperatureAndHumidity_LabelsEveryValue()
    {
        var device = SampleDevices.Thermostat();
        var readings = new[]
        {
            new Reading("temperature", ReadingValue.Of(21.5), At),
            new Reading("humidity", ReadingValue.Of(44.0), At),
        };

        Assert.Equal("temperature 21.5 °C, humidity 44 %", DeviceTexts.Telemetry(device, readings));
    }

    [Fact]
    public void StatusLine_Plug_ShowsSwitchThenKeySensor()
    {
        var device = SampleDevices.WithReadings(SampleDevices.Plug(), At,
            new Reading("energy-power", ReadingValue.Of(12.345), At),
            new Reading("power", ReadingValue.Of(true), At));

        Assert.Equal("on, 12.35 W", DeviceTexts.StatusLine(device));
    }

    [Fact]
    public void StatusLine_SensorsInAnyOrder_PutsTemperatureFirst()
    {
        var device = SampleDevices.WithReadings(SampleDevices.Thermostat(), At,
            new Reading("humidity", ReadingValue.Of(44.0), At),
            new Reading("temperature", ReadingValue.Of(21.5), At));

        Assert.Equal("21.5 °C, 44 %", DeviceTexts.StatusLine(device));
    }

    [Fact]
    public void StatusLine_LampOn_ShowsBrightness()
    {
        var device = SampleDevices.WithReadings(SampleDevices.Lamp(), At,
            new Reading("light", ReadingValue.Of(true), At),
            new Reading("light", ReadingValue.Of(40.0), At, ReadingAttributes.Brightness));

        Assert.Equal("on, brightness 40 %", DeviceTexts.StatusLine(device));
    }

    [Fact]
    public void StatusLine_NoReadings_IsEmpty()
    {
        Assert.Equal("", DeviceTexts.StatusLine(SampleDevices.Plug()));
    }

    [Fact]
    public void FormatValue_DoorContact_SaysOpenOrClosed()
    {
        var device = SampleDevices.Garage();
        var contact = device.FindCapability("contact");

        Assert.Equal("open", DeviceTexts.FormatValue(new Reading("contact", ReadingValue.Of(true), At), contact));
        Assert.Equal("closed", DeviceTexts.FormatValue(new Reading("contact", ReadingValue.Of(false), At), contact));
    }

    [Fact]
    public void Help_Lamp_ListsOnlyWhatLampUnderstands()
    {
        var help = DeviceTexts.Help(SampleDevices.Lamp());

        Assert.Equal("""
            lamp understands:
            on, off, toggle: light
            set brightness: 0-100 %, light
            set color_temp: 150-500 mired or Kelvin, light
            status: the last known state
            help: this list
            """.Replace("\r", ""), help);
    }

    [Fact]
    public void Help_Thermostat_ListsSettingsWithRanges()
    {
        var help = DeviceTexts.Help(SampleDevices.Thermostat());

        Assert.Contains("set target 5-30 °C: Target temperature", help);
        Assert.Contains("set mode Eco|Comfort|Off: mode", help);
        Assert.Contains("status: the last readings (temperature, humidity)", help);
        Assert.DoesNotContain("on, off", help);
    }

    [Fact]
    public void Help_DualRelay_NamesEachSwitch()
    {
        var help = DeviceTexts.Help(SampleDevices.DualRelay());

        Assert.Contains("on, off, toggle power1: switch power1", help);
        Assert.Contains("on, off, toggle power2: switch power2", help);
    }

    [Fact]
    public void Answers_DoneAndNoAnswer_ReadNaturally()
    {
        Assert.Equal("done: on", DeviceTexts.Done(new DeviceCommand(CommandAction.On, "power")));
        Assert.Equal("done: brightness 40 %", DeviceTexts.Done(new DeviceCommand(CommandAction.Set, "light", ReadingAttributes.Brightness, ReadingValue.Of(40))));
        Assert.Equal("no answer from plug1 after 5 s", DeviceTexts.NoAnswer("plug1", TimeSpan.FromSeconds(5)));
        Assert.Equal("no answer from plug1 after 500 ms", DeviceTexts.NoAnswer("plug1", TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public void StatusReport_WithInfoAndReadings_OneAgeForTheDeviceAndEachValueOnce()
    {
        var device = SampleDevices.WithReadings(SampleDevices.Plug(), At,
            new Reading("power", ReadingValue.Of(false), At)) with { Info = new DeviceInfo("Sonoff S31", "ITEAD", "13.2.0") };

        var report = DeviceTexts.StatusReport(device, At.AddSeconds(30));

        Assert.Equal("plug1 is online (ITEAD, Sonoff S31, 13.2.0), seen 30 s ago\nswitch: off", report);
    }

    [Fact]
    public void Offline_KnownSince_SaysWhenAndThatNothingWasSent()
    {
        var since = new DateTimeOffset(2025, 3, 1, 21, 4, 0, TimeSpan.Zero);
        var device = SampleDevices.Plug() with { Availability = DeviceAvailability.Offline, AvailabilitySince = since };

        var text = DeviceTexts.Offline(device, since.AddMinutes(12), TimeZoneInfo.Utc);

        Assert.Equal("plug1 is offline since 21:04 (12 min ago); the command was not sent", text);
    }
}
