using System.Security.Cryptography;

namespace StripeEmulator;

/// <summary>Object ids in Stripe's format: a type prefix, an underscore and 24 random alphanumerics.</summary>
public static class StripeIds
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string New(string prefix) => $"{prefix}_{Random(24)}";

    public static string Random(int length) => new(RandomNumberGenerator.GetItems<char>(Alphabet, length));
}
