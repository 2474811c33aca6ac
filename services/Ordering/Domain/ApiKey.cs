using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace ProMTA.Ordering.Domain;

/// <summary>
/// API keys are 256 random bits shown once; only their SHA-256 is stored. A fast hash is enough for a
/// random secret of that size (nothing to brute-force), and it lets a key be looked up by its hash.
/// </summary>
public static class ApiKey
{
    public const string Prefix = "pmk_";

    public static string Create() => Prefix + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    /// <summary>Enough of the key to recognise it in a list, far too little to use it.</summary>
    public static string PrefixOf(string key) => key[..(Prefix.Length + 6)];

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
