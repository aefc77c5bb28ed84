using EdgeNode.Core.Storage;

namespace EdgeNode.Xmpp.Extensions;

/// <summary>XEP-0054 vcard-temp: each account's vCard element, stored as the client sent it (standalone XML).</summary>
public sealed class VCardStore(Store store)
{
    public byte[]? Get(string owner) => store.Read(c =>
    {
        using var query = c.Command("SELECT vcard FROM xmpp_vcard WHERE owner = $o");
        query.Parameters.AddWithValue("$o", owner);
        return query.ExecuteScalar() as byte[];
    });

    public void Set(string owner, byte[] vcard) => store.Write(tx =>
    {
        using var upsert = tx.Command("INSERT INTO xmpp_vcard (owner, vcard) VALUES ($o, $v) ON CONFLICT (owner) DO UPDATE SET vcard = $v");
        upsert.Parameters.AddWithValue("$o", owner);
        upsert.Parameters.AddWithValue("$v", vcard);
        upsert.ExecuteNonQuery();
    });
}
