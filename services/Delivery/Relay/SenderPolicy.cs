using System.Buffers;
using MimeKit;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Domains;
using ProMTA.Delivery.Smtp;

namespace ProMTA.Delivery.Relay;

/// <summary>
/// A service sends only as itself (issue 14): the envelope sender's domain (at MAIL) and every From: header address's
/// domain (at the end of DATA) must be one of the service's verified sending domains, a staff-allowed one, or a name below
/// one. Otherwise 550 5.7.1 and nothing is queued. The null reverse path (MAIL FROM:&lt;&gt;, a customer's own bounce) stays
/// allowed at MAIL; its From: header is checked like any other.
/// </summary>
internal sealed class SenderPolicy(Database db)
{
    public const string Refusal = "5.7.1 Sender address not allowed for this service";
    private const string DomainsKey = "promta:sender-domains";

    /// <summary>At MAIL, with the service's domains read with its account: keeps them for the header check and checks the envelope.</summary>
    public static void CheckEnvelope(ISessionContext context, IReadOnlyList<string> domains, IMailbox from)
    {
        context.Properties[DomainsKey] = domains;
        var isNull = string.IsNullOrEmpty(from.User) && string.IsNullOrEmpty(from.Host);
        if (!isNull && !Allows(domains, from.Host)) throw RelaySession.Reply(550, Refusal);
    }

    /// <summary>At the end of DATA: null when every From: address is the service's, else the reply refusing the message.</summary>
    public async Task<SmtpResponse?> CheckHeaderAsync(ISessionContext context, Guid serviceId, ReadOnlySequence<byte> message, CancellationToken ct)
    {
        var domains = context.Properties.TryGetValue(DomainsKey, out var known) && known is IReadOnlyList<string> list
            ? list : await SendingDomains.ForServiceAsync(db, serviceId, ct);
        var from = FromAddresses(message);
        return from is { Count: > 0 } && from.All(a => Allows(domains, a.Domain))
            ? null
            : new SmtpResponse(550, from is null or { Count: 0 } ? "5.7.1 Sender address not allowed for this service: the message needs a From: header" : Refusal);
    }

    /// <summary>True when <paramref name="domain"/> is one of <paramref name="allowed"/> or a name below one.</summary>
    public static bool Allows(IEnumerable<string> allowed, string? domain) =>
        DomainName.Normalize(domain) is { } name && allowed.Any(a => DomainName.IsSelfOrBelow(name, a));

    /// <summary>The From: mailboxes, read from the header block only; null when the headers cannot be parsed.</summary>
    private static List<MailboxAddress>? FromAddresses(ReadOnlySequence<byte> message)
    {
        try
        {
            // Only the header block is copied and parsed, not a body of megabytes.
            var reader = new SequenceReader<byte>(message);
            var head = reader.TryReadTo(out ReadOnlySequence<byte> headers, "\r\n\r\n"u8) ? headers : message;
            using var stream = new MemoryStream([.. head.ToArray(), .. "\r\n\r\n"u8], writable: false);
            var from = new List<MailboxAddress>();
            foreach (var header in HeaderList.Load(stream).Where(h => h.Id == HeaderId.From))
            {
                if (!InternetAddressList.TryParse(header.Value, out var addresses)) return null;
                from.AddRange(addresses.Mailboxes);
            }
            return from;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
