using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ProMTA.Delivery.Feedback;

/// <summary>
/// Per-recipient return paths (VERP) and the token our own header carries for feedback reports: the recipient's queue id
/// and an HMAC of it, so nobody without the key can make a bounce or a complaint land on a recipient of their choosing.
/// Lower case only: some MTAs fold the case of the local part they bounce to.
/// </summary>
public sealed class VerpAddresses
{
    /// <summary>The local part's prefix: b+&lt;token&gt;@domain.</summary>
    public const string Prefix = "b+";

    /// <summary>
    /// The header that carries the token in the message itself: an ARF report returns the original (RFC 5965 2), which
    /// is addressed to abuse@, not to the return path, so the header is how a complaint finds its recipient.
    /// </summary>
    public const string Header = "X-ProMTA-Recipient";

    // 64 bits of MAC: a forger gets one guess per message our MX accepts.
    private const int MacBytes = 8;

    private readonly byte[]? key;

    public VerpAddresses(IOptions<VerpOptions> options)
    {
        var configured = options.Value.SigningKey;
        key = string.IsNullOrWhiteSpace(configured) ? null : Encoding.UTF8.GetBytes(configured);
    }

    /// <summary>False without a signing key: mail keeps the customer's MAIL FROM.</summary>
    public bool Enabled => key is not null;

    /// <summary>The signed token of a recipient: its id and a MAC, "1234-0123456789abcdef".</summary>
    public string Token(long recipientId)
    {
        var id = recipientId.ToString(CultureInfo.InvariantCulture);
        return $"{id}-{Mac(id)}";
    }

    /// <summary>The return path of a recipient on <paramref name="domain"/>.</summary>
    public string ReturnPath(long recipientId, string domain) => $"{Prefix}{Token(recipientId)}@{domain}";

    /// <summary>The recipient id of a token whose MAC is right; false for anything else, forged or damaged.</summary>
    public bool TryReadToken(string? token, out long recipientId)
    {
        recipientId = 0;
        if (key is null || string.IsNullOrEmpty(token)) return false;
        var dash = token.IndexOf('-');
        if (dash <= 0 || dash == token.Length - 1) return false;
        var id = token[..dash];
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)) return false;
        var expected = Encoding.ASCII.GetBytes(Mac(id));
        var given = Encoding.ASCII.GetBytes(token[(dash + 1)..].Trim().ToLowerInvariant());
        if (!CryptographicOperations.FixedTimeEquals(expected, given)) return false;
        recipientId = parsed;
        return true;
    }

    /// <summary>The recipient id of a VERP address (b+token@domain, any case); false for any other address.</summary>
    public bool TryReadAddress(string? address, out long recipientId)
    {
        recipientId = 0;
        if (address is null) return false;
        var at = address.LastIndexOf('@');
        var local = at < 0 ? address : address[..at];
        return local.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && TryReadToken(local[Prefix.Length..], out recipientId);
    }

    private string Mac(string id)
    {
        var mac = HMACSHA256.HashData(key ?? throw new InvalidOperationException("Verp:SigningKey is not set"), Encoding.ASCII.GetBytes("verp1:" + id));
        return Convert.ToHexStringLower(mac.AsSpan(0, MacBytes));
    }
}
