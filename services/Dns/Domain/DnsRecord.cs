namespace ProMTA.Dns.Domain;

/// <summary>
/// One record we publish, in the form a resolver's answer is compared with: names are FQDNs, a TXT value is the
/// whole string (its 255-byte pieces joined), an MX value is "preference exchange.".
/// </summary>
public sealed record DnsRecord(string Name, string Type, string Value)
{
    /// <summary>The record's content as the PowerDNS API takes it (presentation format).</summary>
    public string Content => Type == "TXT" ? TxtStrings.Quote(Value) : Value;
}

/// <summary>TXT values longer than one character-string (255 bytes) are published as several strings, as RFC 7208/6376 expect.</summary>
public static class TxtStrings
{
    public const int MaxStringBytes = 255;

    public static IReadOnlyList<string> Split(string value)
    {
        // Record values are ASCII (SPF, DKIM, DMARC), so one char is one byte and a split never cuts a character.
        if (value.Any(c => c > 0x7e || c < 0x20)) throw new ArgumentException("TXT values must be printable ASCII", nameof(value));
        return value.Length == 0 ? [""] : value.Chunk(MaxStringBytes).Select(c => new string(c)).ToList();
    }

    public static string Quote(string value) =>
        string.Join(' ', Split(value).Select(s => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\""));
}
