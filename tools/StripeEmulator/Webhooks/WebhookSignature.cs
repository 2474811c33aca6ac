using System.Security.Cryptography;
using System.Text;

namespace StripeEmulator.Webhooks;

/// <summary>
/// Stripe's webhook signature: <c>t=&lt;unix&gt;,v1=&lt;hex HMAC-SHA256("&lt;t&gt;.&lt;payload&gt;")&gt;</c>,
/// keyed with the UTF-8 bytes of the whole secret string, which is what Stripe.net verifies.
/// </summary>
public static class WebhookSignature
{
    public const string HeaderName = "Stripe-Signature";

    public static string Header(string payload, string secret, long timestamp) =>
        $"t={timestamp},v1={Compute(payload, secret, timestamp)}";

    public static string Compute(string payload, string secret, long timestamp)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{payload}"));
        return Convert.ToHexStringLower(mac);
    }
}
