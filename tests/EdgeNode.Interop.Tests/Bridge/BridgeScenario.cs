using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Bridge;

/// <summary>
/// One node with four people (alice, bob, carol, dave) who may use XMPP, Matrix or both, and the scripts that drive
/// their real clients: bridge_scenarios.py (slixmpp and matrix-nio in one loop) prints what every client saw as one
/// JSON object, which the tests assert on.
/// </summary>
internal static class BridgeScenario
{
    public const string Domain = "bridge.test";
    public const string Password = "one conversation space";
    public static readonly TimeSpan ScenarioTime = TimeSpan.FromSeconds(240);

    /// <summary>Starts a node (Matrix sending not rate-limited: the scenarios send in bursts) with the four accounts.</summary>
    public static async Task<TestNode> StartNodeAsync(params string[] settings)
    {
        var node = await TestNode.StartAsync(Domain, "127.0.0.1", ["--Matrix:MessagesPerSecond=0", .. settings]);
        foreach (var person in new[] { "alice", "bob", "carol", "dave" }) await node.AddUserAsync(person, Password);
        return node;
    }

    public static string MatrixUrl(TestNode node) => $"http://{node.Address}:{node.Port("Http:Port")}";

    public static string Jid(string person) => $"{person}@{Domain}";

    public static string Mxid(string person) => $"@{person}:{Domain}";

    /// <summary>Runs one scenario of bridge_scenarios.py against the node; fails with what the clients saw if it stopped.</summary>
    public static async Task<JsonElement> RunAsync(TestNode node, string scenario)
    {
        Peer.Require(Peer.Python, "python3");
        var run = await Peer.PythonAsync("Bridge/bridge_scenarios.py",
            [scenario, node.Port("Xmpp:C2sPort").ToString(System.Globalization.CultureInfo.InvariantCulture), MatrixUrl(node), Domain, Password],
            ScenarioTime);
        var last = run.Out.Trim().Split('\n')[^1];
        JsonElement result;
        try
        {
            result = JsonDocument.Parse(last).RootElement;
        }
        catch (JsonException)
        {
            Assert.Fail($"{scenario} printed no result (needs python3-slixmpp and python3-matrix-nio):\n{run}");
            throw;
        }
        if (run.ExitCode != 0)
        {
            var error = result.TryGetProperty("error", out var e) ? e.GetString() : "(no error reported)";
            var seen = JsonNode.Parse(last)!.AsObject();
            seen.Remove("error");
            Assert.Fail($"{scenario} stopped: {error}\nseen so far: {Trim(seen.ToJsonString())}\nstderr: {Trim(run.Error)}");
        }
        return result;
    }

    /// <summary>Finds the source folder of these tests (where the Matrix tests' npm packages are installed).</summary>
    public static string SourceFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "EdgeNode.Interop.Tests");
            if (Directory.Exists(Path.Combine(candidate, "Bridge"))) return candidate;
        }
        Assert.Fail("tests/EdgeNode.Interop.Tests not found above the test assembly");
        return "";
    }

    private static string Trim(string text) => text.Length > 6000 ? text[..3000] + "\n...\n" + text[^3000..] : text;
}

/// <summary>Reading the scenarios' JSON results.</summary>
internal static class BridgeJson
{
    public static JsonElement At(this JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            Assert.True(element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out element),
                $"no '{name}' in {element}");
        }
        return element;
    }

    public static string? Str(this JsonElement element, params string[] path)
    {
        var value = element.At(path);
        return value.ValueKind == JsonValueKind.Null ? null : value.ToString();
    }

    /// <summary>The string at <paramref name="path"/>, or null when any part of it is missing.</summary>
    public static string? Maybe(this JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element)) return null;
        }
        return element.ValueKind == JsonValueKind.Null ? null : element.ToString();
    }

    public static string[] Strings(this JsonElement element, params string[] path) =>
        element.At(path).EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? "(null)" : e.ToString()).ToArray();

    public static JsonElement[] Items(this JsonElement element, params string[] path) => element.At(path).EnumerateArray().ToArray();
}
