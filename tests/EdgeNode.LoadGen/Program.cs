using System.Text.Json;
using EdgeNode.LoadGen;

// edgenode-loadgen VERB [--option value ...]: runs one scenario against one server and prints one JSON line.
// Exit codes: 0 ok, 1 failed (harness or server broke), 2 bad usage, 3 the server does not offer this yet.
if (args.Length == 0 || args[0] is "--help" or "-h")
{
    Console.Error.WriteLine("""
        usage: edgenode-loadgen VERB [--option value ...]
          xmpp-register     --port --domain --clients N [--first K] --prefix --password   (XEP-0077 accounts)
          xmpp-chat         --port --domain --clients N --seconds T [--window W] --server-pid PID --label NAME
          xmpp-idle         --port --domain --clients N --seconds T --server-pid PID --label NAME
          mqtt-fanout       --port --publishers P --subscribers S --qos 0|1 --mqtt-version 4|5 [--user U --password P]
          device-telemetry  --xmpp-port --mqtt-port --domain --devices D --owners O --seconds T [--rate R]
          soak              --xmpp-port --mqtt-port --http-port --domain --minutes M [--idle 5000 --pairs 50 --devices 1000
                            --matrix-users 20 --owner NAME --data-dir DIR --samples FILE --doc FILE --preamble FILE]
          bridge-chat       --direction xmpp-matrix|matrix-xmpp|xmpp-xmpp --xmpp-port --http-port --domain --pairs P --rate R --first K --seconds T
          footprint         --ports P1,P2 --label NAME [--binary FILE] [--log FILE] -- COMMAND ARGS...
          report            --results FILE --doc docs/BENCHMARKS.md --preamble FILE
        common: --host 127.0.0.1 --warmup 1 --server-pid PID --label NAME
        """);
    return 2;
}

string verb = args[0];
int split = Array.IndexOf(args, "--", 1);
string[] options = split < 0 ? args[1..] : args[1..split];
string[] command = split < 0 ? [] : args[(split + 1)..];
string label = "server";
try
{
    var parsed = new Args(options);
    label = parsed.Str("label", "server");
    ScenarioResult result = verb switch
    {
        "xmpp-register" => await XmppScenarios.RegisterAsync(parsed),
        "xmpp-chat" => await XmppScenarios.ChatAsync(parsed),
        "xmpp-idle" => await XmppScenarios.IdleAsync(parsed),
        "mqtt-fanout" => await MqttScenarios.FanoutAsync(parsed),
        "device-telemetry" => await DeviceScenario.RunAsync(parsed),
        "bridge-chat" => await BridgeScenario.RunAsync(parsed),
        "footprint" => await Footprint.RunAsync(parsed, command),
        "soak" => await SoakScenario.RunAsync(parsed),
        "report" => Report.Write(parsed),
        _ => throw new UsageException($"unknown verb '{verb}'"),
    };
    Console.WriteLine(JsonSerializer.Serialize(result, LoadGenJson.Default.ScenarioResult));
    return result.Status switch { "ok" => 0, "unsupported" => 3, _ => 1 };
}
catch (UsageException e)
{
    Console.Error.WriteLine($"edgenode-loadgen: {e.Message}");
    return 2;
}
catch (NotSupportedByServerException e)
{
    Console.WriteLine(JsonSerializer.Serialize(new ScenarioResult { Scenario = verb, System = label, Status = "unsupported", Message = e.Message }, LoadGenJson.Default.ScenarioResult));
    return 3;
}
catch (Exception e)
{
    Console.WriteLine(JsonSerializer.Serialize(new ScenarioResult { Scenario = verb, System = label, Status = "failed", Message = $"{e.GetType().Name}: {e.Message}" }, LoadGenJson.Default.ScenarioResult));
    Console.Error.WriteLine(e);
    return 1;
}
