using EdgeNode.Gpio.Chips;

namespace EdgeNode.Gpio;

/// <summary>Finds the chip configuration names: a label (pinctrl-bcm2711 on a Pi 4, pinctrl-rp1 on a Pi 5) or a device path.</summary>
public static class GpioChips
{
    public static IGpioChip Open(string labelOrPath, string deviceDirectory = "/dev")
    {
        if (labelOrPath.StartsWith('/')) return new KernelGpioChip(labelOrPath);
        var seen = new List<string>();
        foreach (var path in Directory.EnumerateFiles(deviceDirectory, "gpiochip*").Order(StringComparer.Ordinal))
        {
            KernelGpioChip chip;
            try { chip = new KernelGpioChip(path); }
            catch (GpioException e) { seen.Add($"{path} ({e.Message})"); continue; }
            if (chip.Label == labelOrPath || chip.Name == labelOrPath) return chip;
            seen.Add($"{chip.Name} '{chip.Label}' ({chip.LineCount} lines)");
            chip.Dispose();
        }
        throw new GpioException(seen.Count == 0
            ? $"no GPIO chip labelled '{labelOrPath}': there are no GPIO chips in {deviceDirectory} (is this a Raspberry Pi, and may this user open /dev/gpiochip*? the gpio group grants it)"
            : $"no GPIO chip labelled '{labelOrPath}'; found: {string.Join(", ", seen)}");
    }
}
