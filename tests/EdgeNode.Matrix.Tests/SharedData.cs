namespace EdgeNode.Matrix.Tests;

/// <summary>
/// Finds the Matrix test data kept in the repository (tests/EdgeNode.Matrix.Tests/TestData/matrix: the
/// specification's cryptographic vectors and the state-resolution fixtures, whose README names their source and
/// licence). Missing data fails the test with the path tried, so a broken checkout never passes silently.
/// </summary>
internal static class SharedData
{
    private static readonly Lazy<string> s_root = new(Locate);

    public static string MatrixRoot => s_root.Value;

    public static string Path(params string[] parts) => System.IO.Path.Combine([MatrixRoot, .. parts]);

    public static string ReadText(params string[] parts)
    {
        string path = Path(parts);
        if (!File.Exists(path)) throw new FileNotFoundException($"Shared Matrix test data file is missing: {path}", path);
        return File.ReadAllText(path);
    }

    private static string Locate()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "EdgeNode.sln")))
            dir = dir.Parent;
        if (dir is null)
            throw new DirectoryNotFoundException($"No folder holding EdgeNode.sln above {AppContext.BaseDirectory}; cannot find the Matrix test data.");
        string candidate = System.IO.Path.Combine(dir.FullName, "tests", "EdgeNode.Matrix.Tests", "TestData", "matrix");
        if (!Directory.Exists(candidate))
            throw new DirectoryNotFoundException($"The Matrix test data folder is missing: expected {candidate}.");
        return candidate;
    }
}
