using EdgeNode.Core.Configuration;
using EdgeNode.Core.Crypto;
using EdgeNode.Core.Devices;
using EdgeNode.Core.Storage;
using EdgeNode.Matrix.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Matrix.Tests.Rooms;

/// <summary>A homeserver on a fresh store in a temporary folder, for tests of the room DAG.</summary>
internal sealed class TestHomeserver : IDisposable
{
    public TestHomeserver(string domain = "hs.test", DeviceRegistry? devices = null, params (string Key, string Value)[] settings)
    {
        Folder = Directory.CreateTempSubdirectory("edgenode-matrix-").FullName;
        Store = Store.Open(Folder, MatrixMigrations.Set);
        var options = OptionsReader.Read(new ConfigurationBuilder().AddInMemoryCollection(
            [new("Node:Domain", domain), new("Node:DataDir", Folder), .. settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))]).Build());
        Server = new Homeserver(Store, options, SigningKey.FromSeed("ed25519:test", new byte[32]), NullLogger.Instance, devices: devices);
    }

    public string Folder { get; }
    public Store Store { get; }
    public Homeserver Server { get; }

    public void Dispose()
    {
        Server.Dispose();
        Store.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
