using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ProMTA.ServiceDefaults.Security;

namespace ProMTA.Delivery.Webhooks;

/// <summary>
/// The secret an endpoint verifies our requests with, and the signature: <c>ProMTA-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex
/// HMAC-SHA256(secret, t + "." + body)&gt;</c> (the scheme Stripe uses, so receivers know it; the timestamp lets them refuse
/// replays). Stored encrypted under the platform's key-encryption secret, bound to the webhook's id so a ciphertext
/// copied to another row does not decrypt.
/// </summary>
public static class WebhookSecret
{
    public const string SignatureHeader = "ProMTA-Signature";
    private const string Purpose = "webhook-secret";

    public static string New() => "whsec_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string Protect(DkimKeyProtector protector, string secret, Guid webhookId) =>
        protector.Protect(Encoding.UTF8.GetBytes(secret), webhookId, Purpose);

    public static string Unprotect(DkimKeyProtector protector, string stored, Guid webhookId) =>
        Encoding.UTF8.GetString(protector.Unprotect(stored, webhookId, Purpose));

    public static string Sign(string secret, DateTimeOffset at, ReadOnlySpan<byte> body)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signed = Encoding.UTF8.GetBytes(timestamp + ".").Concat(body.ToArray()).ToArray();
        return $"t={timestamp},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed))}";
    }
}
