using ProMTA.Dns.Domain;

namespace ProMTA.Dns.Lookups;

/// <summary>
/// Asks a DNS server (not the API) whether a record answers with exactly the value we published: what a receiving MTA
/// would see. An extra value counts as not live too: a second SPF record, for one, makes SPF fail (RFC 7208 4.5).
/// </summary>
public sealed class LiveRecordCheck(DnsLookup server)
{
    public async Task<bool> AnswersAsync(DnsRecord record, CancellationToken ct) =>
        IsExactly(await server.ValuesAsync(record.Name, record.Type, ct), record);

    /// <summary>What the server answers for the record's rrset (empty: nothing, null: no answer at all).</summary>
    public Task<IReadOnlyList<string>?> SeenAsync(DnsRecord record, CancellationToken ct) => server.ValuesAsync(record.Name, record.Type, ct);

    public static bool IsExactly(IReadOnlyList<string>? seen, DnsRecord record) => seen is [var only] && only == record.Value;
}
