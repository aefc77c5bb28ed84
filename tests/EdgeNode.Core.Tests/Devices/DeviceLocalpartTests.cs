using EdgeNode.Core.Addressing;
using EdgeNode.Core.Devices;

namespace EdgeNode.Core.Tests.Devices;

public class DeviceLocalpartTests
{
    [Theory]
    [InlineData("plug1", "plug1")]
    [InlineData("Living Room Lamp", "living-room-lamp")]
    [InlineData("0x00158d0001a2b3c4", "0x00158d0001a2b3c4")]
    [InlineData("küche/licht", "kueche-licht")]
    [InlineData("Straße  --  Süd", "strasse-sued")]
    [InlineData("sonoff_th16", "sonoff_th16")]
    [InlineData("shellyplus1pm-a8032ab12345", "shellyplus1pm-a8032ab12345")]
    [InlineData("  /lamp/  ", "lamp")]
    [InlineData("a@b:c'd\"e&f<g>h", "a-b-c-d-e-f-g-h")]
    [InlineData("Café Crème", "cafe-creme")]
    public void FromIdentifier_AwkwardNames_MakesReadableLocalpart(string identifier, string expected)
    {
        Assert.Equal(expected, DeviceLocalpart.FromIdentifier(identifier));
    }

    [Theory]
    [InlineData("温度")]
    [InlineData("///")]
    [InlineData("")]
    [InlineData("\u0000\u0001")]
    public void FromIdentifier_NothingUsable_FallsBackToHashedName(string identifier)
    {
        var localpart = DeviceLocalpart.FromIdentifier(identifier);

        Assert.Matches("^device-[0-9a-f]{8}$", localpart);
    }

    [Fact]
    public void FromIdentifier_DroppedCharacters_KeepsNamesApart()
    {
        var first = DeviceLocalpart.FromIdentifier("温度 1");
        var second = DeviceLocalpart.FromIdentifier("湿度 1");

        Assert.NotEqual(first, second);
        Assert.StartsWith("1-", first);
    }

    [Fact]
    public void FromIdentifier_VeryLong_IsCappedAndStillDistinct()
    {
        var a = DeviceLocalpart.FromIdentifier(new string('a', 500) + "1");
        var b = DeviceLocalpart.FromIdentifier(new string('a', 500) + "2");

        Assert.True(a.Length <= DeviceLocalpart.MaxLength);
        Assert.NotEqual(a, b);
    }

    [Theory]
    [InlineData("Living Room Lamp")]
    [InlineData("küche/licht")]
    [InlineData("tele/+/#")]
    [InlineData("温度")]
    [InlineData("ESP_Garden.Sensor")]
    public void FromIdentifier_AnyInput_IsValidJidAndMatrixLocalpart(string identifier)
    {
        var localpart = DeviceLocalpart.FromIdentifier(identifier);

        Assert.True(Jid.TryParse(localpart + "@pi.example", out var jid));
        Assert.Equal(localpart, jid.Local);
        Assert.Matches("^[a-z0-9._-]+$", localpart);
    }
}
