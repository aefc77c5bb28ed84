using System.Globalization;

namespace EdgeNode.Gpio;

/// <summary>
/// The Raspberry Pi 40-pin header: which physical pin carries which GPIO. The same on the Pi 2 to 5 and Zero; on
/// the Pi 4 the lines belong to the chip labelled pinctrl-bcm2711 and on the Pi 5 to pinctrl-rp1, and in both the
/// line offset equals the BCM GPIO number.
/// </summary>
public static class PinMap
{
    private static readonly string?[] Header = BuildHeader();

    private static string?[] BuildHeader()
    {
        var pins = new string?[41];
        (int Pin, string What)[] fixedPins =
        [
            (1, "3.3 V power"), (2, "5 V power"), (4, "5 V power"), (6, "ground"), (9, "ground"), (14, "ground"),
            (17, "3.3 V power"), (20, "ground"), (25, "ground"), (30, "ground"), (34, "ground"), (39, "ground"),
        ];
        foreach (var (pin, what) in fixedPins) pins[pin] = what;
        return pins;
    }

    // Physical pin -> BCM GPIO number, for the 28 GPIO pins of the header.
    private static readonly Dictionary<int, int> GpioByPin = new()
    {
        [3] = 2, [5] = 3, [7] = 4, [8] = 14, [10] = 15, [11] = 17, [12] = 18, [13] = 27, [15] = 22, [16] = 23,
        [18] = 24, [19] = 10, [21] = 9, [22] = 25, [23] = 11, [24] = 8, [26] = 7, [27] = 0, [28] = 1, [29] = 5,
        [31] = 6, [32] = 12, [33] = 13, [35] = 19, [36] = 16, [37] = 26, [38] = 20, [40] = 21,
    };

    public static IReadOnlyDictionary<int, int> GpioByPhysicalPin => GpioByPin;

    /// <summary>
    /// Reads a pin as people write it: "GPIO17", "BCM17" or "17" mean GPIO 17; "pin11" or "P1-11" mean physical
    /// pin 11 (which is GPIO 17). Power and ground pins and numbers off the header are refused with the reason.
    /// </summary>
    public static bool TryParse(string text, out int lineOffset, out string? problem)
    {
        lineOffset = -1;
        var t = text.Trim().ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal);
        foreach (var prefix in new[] { "pin", "p1-", "physical" })
        {
            if (!t.StartsWith(prefix, StringComparison.Ordinal)) continue;
            if (!int.TryParse(t[prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var pin) || pin is < 1 or > 40)
            {
                problem = $"'{text}': the header has physical pins 1 to 40";
                return false;
            }
            if (GpioByPin.TryGetValue(pin, out lineOffset)) { problem = null; return true; }
            problem = $"'{text}': physical pin {pin} is {Header[pin]}, not a GPIO";
            return false;
        }
        var number = t.StartsWith("gpio", StringComparison.Ordinal) ? t[4..] : t.StartsWith("bcm", StringComparison.Ordinal) ? t[3..] : t;
        if (int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var gpio) && gpio is >= 0 and <= 27)
        {
            lineOffset = gpio;
            problem = null;
            return true;
        }
        problem = $"'{text}' is not a header GPIO: write GPIO0 to GPIO27 (BCM numbering) or pin1 to pin40 (physical)";
        return false;
    }

    /// <summary>The physical pin a GPIO number comes out on, or null when it is not on the header.</summary>
    public static int? PhysicalPinOf(int gpio) => GpioByPin.FirstOrDefault(p => p.Value == gpio) is { Key: > 0 } found ? found.Key : null;
}
