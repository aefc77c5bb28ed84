using EdgeNode.Fuzz;
using SharpFuzz;

// EdgeNode.Fuzz TARGET               run TARGET under afl-fuzz (persistent mode; stdin is the input)
// EdgeNode.Fuzz TARGET FILE|DIR...   run TARGET once on each file: to replay a crash or check a corpus
// EdgeNode.Fuzz --list               print the target names
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: EdgeNode.Fuzz TARGET [FILE|DIR...] | --list");
    return 2;
}

if (args[0] == "--list")
{
    foreach (string name in FuzzTargets.All.Keys) Console.WriteLine(name);
    return 0;
}

if (!FuzzTargets.All.TryGetValue(args[0], out Func<FuzzTarget>? create))
{
    Console.Error.WriteLine($"unknown target '{args[0]}'; --list names them");
    return 2;
}

if (args.Length == 1)
{
    FuzzTarget? target = null;
    Fuzzer.Run(stream =>
    {
        target ??= create();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        target.Run(copy.GetBuffer().AsSpan(0, (int)copy.Length));
    });
    return 0;
}

FuzzTarget replayed = create();
int files = 0;
foreach (string path in args.Skip(1))
{
    IEnumerable<string> inputs = Directory.Exists(path) ? Directory.EnumerateFiles(path).Order(StringComparer.Ordinal) : [path];
    foreach (string input in inputs)
    {
        replayed.Run(File.ReadAllBytes(input));
        files++;
    }
}

Console.WriteLine($"{args[0]}: {files} inputs, all properties held");
return 0;
