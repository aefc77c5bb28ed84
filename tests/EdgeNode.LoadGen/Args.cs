using System.Globalization;

namespace EdgeNode.LoadGen;

/// <summary>`--name value` options after the verb; every scenario reads the ones it knows and ignores none silently.</summary>
internal sealed class Args
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public Args(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"unexpected argument '{a}'");
            string name = a[2..];
            int eq = name.IndexOf('=');
            if (eq >= 0) { _values[name[..eq]] = name[(eq + 1)..]; continue; }
            if (i + 1 >= args.Count) throw new UsageException($"{a} needs a value");
            _values[name] = args[++i];
        }
    }

    public string Str(string name, string fallback) { _used.Add(name); return _values.TryGetValue(name, out var v) ? v : fallback; }

    public string? OptionalStr(string name) { _used.Add(name); return _values.TryGetValue(name, out var v) ? v : null; }

    public int Int(string name, int fallback)
    {
        string? v = OptionalStr(name);
        if (v is null) return fallback;
        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : throw new UsageException($"--{name}: '{v}' is not a number");
    }

    public double Double(string name, double fallback)
    {
        string? v = OptionalStr(name);
        if (v is null) return fallback;
        return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) ? n : throw new UsageException($"--{name}: '{v}' is not a number");
    }

    public bool Flag(string name) => Str(name, "false") is "true" or "1" or "yes";

    /// <summary>Throws for options nobody asked for, so that a typo in bench.sh does not silently run the defaults.</summary>
    public void RejectUnknown()
    {
        foreach (string key in _values.Keys)
        {
            if (!_used.Contains(key)) throw new UsageException($"unknown option --{key}");
        }
    }
}

internal sealed class UsageException(string message) : Exception(message);

/// <summary>The system under test said it does not offer this yet (XMPP service-unavailable, MQTT server unavailable, no telemetry).</summary>
internal sealed class NotSupportedByServerException(string message) : Exception(message);
