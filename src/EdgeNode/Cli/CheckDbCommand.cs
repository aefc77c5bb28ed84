using EdgeNode.Core.Configuration;
using EdgeNode.Core.Storage;

namespace EdgeNode.Cli;

/// <summary>`edgenode check-db`: the full integrity check of the database, in plain words; exit 0 when sound, 1 when damaged.</summary>
public static class CheckDbCommand
{
    public static int Run(NodeOptions options, CliIo io)
    {
        io.Out.WriteLine($"checking {Path.GetFullPath(Path.Combine(options.Node.DataDir, Store.FileName))} (every page and index; this reads the whole file) ...");
        var report = IntegrityCheck.Run(options.Node.DataDir);
        if (report.Ok)
        {
            io.Out.WriteLine("the database is sound: SQLite's integrity check found no problems");
            return ExitCodes.Ok;
        }
        io.Out.WriteLine($"the database is damaged: SQLite's integrity check reports {report.Problems.Count}{(report.Problems.Count >= IntegrityCheck.MaxProblems ? " or more" : "")} problem(s):");
        foreach (var problem in report.Problems) io.Out.WriteLine($"  {problem}");
        io.Out.WriteLine("stop the node and restore edgenode.db from a backup; the node refuses to start on a file its start-up check finds damaged");
        return ExitCodes.Failure;
    }
}
