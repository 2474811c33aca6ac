using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace ProMTA.Dns.Domain;

/// <summary>
/// Asks a DNS server (not the API) whether a record answers with the value we published: what a receiving MTA would
/// see. TXT answers are compared as the concatenation of their character-strings, as SPF and DKIM verifiers read them.
/// </summary>
public sealed class LiveRecordCheck(IPEndPoint server)
{
    private readonly LookupClient client = new(new LookupClientOptions(server) { UseCache = false, Retries = 1, Timeout = TimeSpan.FromSeconds(2) });

    public async Task<bool> AnswersAsync(DnsRecord record, CancellationToken ct)
    {
        if (!Enum.TryParse<QueryType>(record.Type, out var type)) return false;
        try
        {
            var response = await client.QueryAsync(record.Name, type, cancellationToken: ct);
            return response.Answers.Any(answer => Matches(answer, record));
        }
        catch (DnsResponseException)
        {
            return false; // no answer in time is "not live", not an error of the caller
        }
    }

    public static bool Matches(DnsResourceRecord answer, DnsRecord record) => answer switch
    {
        ARecord a => record.Type == "A" && a.Address.ToString() == record.Value,
        TxtRecord txt => record.Type == "TXT" && string.Concat(txt.Text) == record.Value,
        MxRecord mx => record.Type == "MX" && $"{mx.Preference} {ReverseZones.Fqdn(mx.Exchange.Value)}" == record.Value,
        PtrRecord ptr => record.Type == "PTR" && ReverseZones.Fqdn(ptr.PtrDomainName.Value) == ReverseZones.Fqdn(record.Value),
        _ => false,
    };
}
