namespace EdgeNode.Devices.Tests;

/// <summary>Finds files in the repository (firmware-config/, replay data) from the test's output folder.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string FirmwareConfig(string relative) => Path.Combine(Root, "firmware-config", relative);

    public static string Replay(string name) => Path.Combine(Root, "tests", "EdgeNode.Devices.Tests", "Replays", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeNode.sln")) && Directory.Exists(Path.Combine(dir.FullName, "firmware-config")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("the repository root (EdgeNode.sln beside firmware-config/) is not above " + AppContext.BaseDirectory);
    }
}
