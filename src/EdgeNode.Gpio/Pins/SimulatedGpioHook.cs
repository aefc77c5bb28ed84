using EdgeNode.Gpio.Chips;

namespace EdgeNode.Gpio.Pins;

/// <summary>
/// How the in-process end-to-end tests reach the simulated chip of the node they started (the chip is made inside
/// the host's container, which the CLI does not expose). Nothing in the node sets it, so in production it is null
/// and does nothing.
/// </summary>
internal static class SimulatedGpioHook
{
    public static Action<SimulatedGpioChip>? Opened;
}
