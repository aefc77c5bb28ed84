using System.Text;
using EdgeNode.Xmpp.S2s;

namespace EdgeNode.Xmpp.Tests.S2s;

public class DialbackKeyTests
{
    private static readonly DialbackKey Example = new(Encoding.UTF8.GetBytes("s3cr3tf0rd14lb4ck"));

    [Fact]
    public void Generate_Xep0185Example_MatchesThePublishedKey()
    {
        Assert.Equal("37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643",
            Example.Generate("xmpp.example.com", "example.org", "D60000229F"));
    }

    [Fact]
    public void Verify_KeyWithSurroundingWhitespace_IsValid()
    {
        Assert.True(Example.Verify("xmpp.example.com", "example.org", "D60000229F",
            "\n    37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643\n"));
    }

    [Theory]
    [InlineData("xmpp.example.com", "example.org", "D60000229G")]
    [InlineData("example.org", "xmpp.example.com", "D60000229F")]
    [InlineData("xmpp.example.co", "mexample.org", "D60000229F")]
    public void Verify_OtherStreamOrDomains_IsInvalid(string receiving, string originating, string streamId)
    {
        Assert.False(Example.Verify(receiving, originating, streamId, "37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643"));
    }

    [Fact]
    public void Verify_KeyOfAnotherSecret_IsInvalid()
    {
        string key = DialbackKey.CreateRandom().Generate("xmpp.example.com", "example.org", "D60000229F");
        Assert.False(Example.Verify("xmpp.example.com", "example.org", "D60000229F", key));
    }

    [Fact]
    public void LoadOrCreate_SecondLoad_GivesTheSameKeysAndOwnerOnlyFile()
    {
        string dir = Directory.CreateTempSubdirectory("edgenode-dialback-").FullName;
        try
        {
            string path = Path.Combine(dir, "tls", "dialback.secret");
            string first = DialbackKey.LoadOrCreate(path).Generate("a.example", "b.example", "id1");
            string second = DialbackKey.LoadOrCreate(path).Generate("a.example", "b.example", "id1");
            Assert.Equal(first, second);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
