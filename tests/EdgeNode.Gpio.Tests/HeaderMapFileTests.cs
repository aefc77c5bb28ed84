using System.Text.Json;

namespace EdgeNode.Gpio.Tests;

/// <summary>The pin map shipped for users (firmware-config/gpio) and the one the node parses pins with must agree.</summary>
public class HeaderMapFileTests
{
    private static string RepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeNode.sln"))) return Path.Combine(dir.FullName, relative);
        }
        throw new InvalidOperationException("the test does not run inside the repository (no EdgeNode.sln above it)");
    }

    [Fact]
    public void RaspberryPiHeaderJson_EveryPinAgreesWithPinMap()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(RepositoryFile("firmware-config/gpio/raspberry-pi-header.json")));
        var pins = document.RootElement.GetProperty("pins").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, 40), pins.Select(p => p.GetProperty("physical").GetInt32()));
        foreach (var pin in pins)
        {
            var physical = pin.GetProperty("physical").GetInt32();
            var parsed = PinMap.TryParse($"pin{physical}", out var line, out _);
            if (pin.GetProperty("kind").GetString() == "gpio")
            {
                Assert.True(parsed, $"pin {physical} is a GPIO in the file but not in PinMap");
                Assert.Equal(pin.GetProperty("line").GetInt32(), line);
                Assert.True(PinMap.TryParse(pin.GetProperty("name").GetString()!, out var byName, out _));
                Assert.Equal(line, byName);
            }
            else
            {
                Assert.False(parsed, $"pin {physical} is {pin.GetProperty("kind").GetString()} in the file but a GPIO in PinMap");
            }
        }
    }
}
