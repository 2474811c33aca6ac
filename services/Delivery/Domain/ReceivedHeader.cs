using System.Text;

namespace ProMTA.Delivery.Domain;

/// <summary>
/// The trace header the relay adds to every accepted message (RFC 5321 4.4): who handed it over (EHLO name and IP),
/// which relay took it, how (ESMTP, +S with TLS, +A authenticated: RFC 3848), the queue id and when.
/// </summary>
public static class ReceivedHeader
{
    public static byte[] Create(string? helo, string? clientIp, string relayHost, bool tls, bool authenticated, Guid queueId,
        string? singleRecipient, DateTimeOffset at)
    {
        var protocol = "ESMTP" + (tls ? "S" : "") + (authenticated ? "A" : "");
        var from = $"from {Clean(helo) ?? "unknown"} ([{Clean(clientIp) ?? "unknown"}])";
        // "for" only with a single recipient: listing them all would disclose Bcc recipients to each other.
        var forClause = Clean(singleRecipient) is { } to ? $"\r\n\tfor <{to}>" : "";
        var line = $"Received: {from}\r\n\tby {Clean(relayHost)} (ProMTA) with {protocol} id {queueId:N}{forClause};\r\n\t{MimeKit.Utils.DateUtils.FormatDate(at)}\r\n";
        return Encoding.ASCII.GetBytes(line);
    }

    /// <summary>Client-supplied text never breaks the header: no line breaks, parentheses or non-ASCII.</summary>
    private static string? Clean(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var kept = new StringBuilder(value.Length);
        foreach (var c in value.Trim())
        {
            if (c is > ' ' and < (char)127 and not '(' and not ')' and not ';' and not '<' and not '>') kept.Append(c);
        }
        return kept.Length == 0 ? null : kept.ToString();
    }
}
