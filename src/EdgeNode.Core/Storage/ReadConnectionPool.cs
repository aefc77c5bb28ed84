using Microsoft.Data.Sqlite;

namespace EdgeNode.Core.Storage;

/// <summary>
/// Long-lived read-only connections, configured once when opened and lent to one caller at a time, so a read costs
/// neither an open nor a pragma, and keeps its connection's prepared statements. WAL gives each read statement the
/// latest committed data as long as no read transaction stays open between loans: a connection comes back into the
/// pool only in autocommit mode with every command it lent disposed; otherwise it is closed.
/// </summary>
internal sealed class ReadConnectionPool(string connectionString, int maxIdle) : IDisposable
{
    private readonly Stack<StoreConnection> _idle = new();
    private readonly Lock _lock = new();
    private bool _disposed;

    internal int Idle
    {
        get { lock (_lock) return _idle.Count; }
    }

    public StoreConnection Rent()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_idle.TryPop(out var idle)) return idle;
        }
        var connection = new StoreConnection(connectionString);
        try
        {
            connection.Open();
            using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA busy_timeout=5000;";
            pragma.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Return(StoreConnection connection)
    {
        if (connection.Lent == 0 && SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) != 0)
        {
            lock (_lock)
            {
                if (!_disposed && _idle.Count < maxIdle)
                {
                    _idle.Push(connection);
                    return;
                }
            }
        }
        connection.Dispose();
    }

    public void Dispose()
    {
        StoreConnection[] idle;
        lock (_lock)
        {
            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
        }
        foreach (var connection in idle) connection.Dispose();
    }
}
