using System.Text;

namespace EdgeNode.Interop.Tests.Security;

/// <summary>
/// Copies what is written to the console (where a node started in this process logs) while it lives, and passes
/// it on. Start it before the node, so that the node's console logger writes through it.
/// </summary>
internal sealed class ConsoleCapture : IDisposable
{
    private readonly TextWriter _original = Console.Out;
    private readonly Tee _tee;

    public ConsoleCapture()
    {
        _tee = new Tee(_original);
        Console.SetOut(_tee);
    }

    public string Text => _tee.Text;

    /// <summary>The captured lines that contain <paramref name="fragment"/>.</summary>
    public string[] Lines(string fragment) =>
        Text.Split('\n').Where(l => l.Contains(fragment, StringComparison.Ordinal)).ToArray();

    public void Dispose() => Console.SetOut(_original);

    private sealed class Tee(TextWriter next) : TextWriter
    {
        private readonly StringBuilder _text = new();

        public override Encoding Encoding => next.Encoding;

        public string Text
        {
            get
            {
                lock (_text) return _text.ToString();
            }
        }

        public override void Write(char value)
        {
            lock (_text) _text.Append(value);
            next.Write(value);
        }

        public override void Write(string? value)
        {
            lock (_text) _text.Append(value);
            next.Write(value);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            lock (_text) _text.Append(buffer, index, count);
            next.Write(buffer, index, count);
        }
    }
}
