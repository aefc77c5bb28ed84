using EdgeNode.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace EdgeNode.Core.Tests.Configuration;

public class OptionsReaderMatrixTests
{
    private static NodeOptions Read(params (string Key, string Value)[] settings) =>
        OptionsReader.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build());

    private static string Problem(string key, string value) =>
        Assert.Single(Assert.Throws<ConfigurationErrorException>(() => Read((key, value))).Problems);

    [Fact]
    public void Read_NothingSet_GivesDocumentedMatrixDefaults()
    {
        var matrix = Read().Matrix;
        Assert.Null(matrix.PublicBaseUrl);
        Assert.Equal("12", matrix.DefaultRoomVersion);
        Assert.Empty(matrix.RegistrationTokens);
        Assert.Equal(20 * 1024 * 1024, matrix.MaxUploadBytes);
        Assert.Equal(1024 * 1024, matrix.MaxRequestBytes);
        Assert.Equal((0.2, 10, false, false), (matrix.MessagesPerSecond, matrix.MessageBurst, matrix.AllowQueryToken, matrix.LegacyMediaDownloads));
        Assert.True(matrix.AllowQueryTokenOnR0);
        Assert.False(Read(("Matrix:AllowQueryTokenOnR0", "false")).Matrix.AllowQueryTokenOnR0);
    }

    [Fact]
    public void Read_SendLimitsAndLegacyPermissions_TakeTheValues()
    {
        var matrix = Read(("Matrix:MessagesPerSecond", "1.5"), ("Matrix:MessageBurst", "30"), ("Matrix:AllowQueryToken", "true"),
            ("Matrix:LegacyMediaDownloads", "true")).Matrix;
        Assert.Equal((1.5, 30, true, true), (matrix.MessagesPerSecond, matrix.MessageBurst, matrix.AllowQueryToken, matrix.LegacyMediaDownloads));
        Assert.Equal(0, Read(("Matrix:MessagesPerSecond", "0")).Matrix.MessagesPerSecond);
    }

    [Fact]
    public void Read_EveryMatrixKeySet_TakesTheValues()
    {
        var matrix = Read(("Matrix:PublicBaseUrl", "https://matrix.example.org/"), ("Matrix:DefaultRoomVersion", "10"),
            ("Matrix:RegistrationTokens", "abc,d.e_f~g-h"), ("Matrix:MaxUploadBytes", "4096"), ("Matrix:MaxRequestBytes", "65536")).Matrix;
        Assert.Equal("https://matrix.example.org", matrix.PublicBaseUrl);
        Assert.Equal("10", matrix.DefaultRoomVersion);
        Assert.Equal(["abc", "d.e_f~g-h"], matrix.RegistrationTokens);
        Assert.Equal(4096, matrix.MaxUploadBytes);
        Assert.Equal(65536, matrix.MaxRequestBytes);
    }

    [Theory]
    [InlineData("Matrix:PublicBaseUrl", "matrix.example.org")]
    [InlineData("Matrix:PublicBaseUrl", "ftp://matrix.example.org")]
    [InlineData("Matrix:PublicBaseUrl", "https://matrix.example.org/?x=1")]
    [InlineData("Matrix:DefaultRoomVersion", "9")]
    [InlineData("Matrix:DefaultRoomVersion", "v12")]
    [InlineData("Matrix:RegistrationTokens", "has space")]
    [InlineData("Matrix:RegistrationTokens", "slash/inside")]
    [InlineData("Matrix:MaxUploadBytes", "100")]
    [InlineData("Matrix:MaxUploadBytes", "lots")]
    [InlineData("Matrix:MaxRequestBytes", "1000")]
    [InlineData("Matrix:MessagesPerSecond", "-1")]
    [InlineData("Matrix:MessagesPerSecond", "fast")]
    [InlineData("Matrix:MessagesPerSecond", "0,2")]
    [InlineData("Matrix:MessageBurst", "0")]
    [InlineData("Matrix:AllowQueryToken", "yes")]
    [InlineData("Matrix:LegacyMediaDownloads", "1")]
    public void Read_BadMatrixValue_NamesTheKey(string key, string value) =>
        Assert.StartsWith(key + ":", Problem(key, value));

    [Fact]
    public void Read_UnknownMatrixKey_IsAProblem() =>
        Assert.Contains("unknown setting", Problem("Matrix:RegistrationToken", "x"));

    [Fact]
    public void Read_LongRegistrationToken_IsAProblem() =>
        Assert.StartsWith("Matrix:RegistrationTokens:", Problem("Matrix:RegistrationTokens", new string('a', 65)));
}
