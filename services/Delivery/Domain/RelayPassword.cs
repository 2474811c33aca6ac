using System.Security.Cryptography;

namespace ProMTA.Delivery.Domain;

public static class RelayPassword
{
    /// <summary>24 random bytes, URL-safe: 192 bits, nothing to guess; shown to the customer once.</summary>
    public static string New() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
}
