using System.Globalization;
using System.Security.Cryptography;

namespace ProMTA.ServiceDefaults.Security;

/// <summary>
/// PBKDF2-HMAC-SHA256 with a per-password salt; the stored form carries its iteration count, so old hashes keep
/// verifying and are replaced at the next login (<see cref="NeedsRehash"/>). People's passwords use OWASP's current
/// count for this algorithm (600,000). ASP.NET Core Identity's PasswordHasher&lt;T&gt; was considered: its v3 format is
/// PBKDF2-HMAC-SHA512 at 100,000 iterations, under OWASP's 210,000 for SHA-512, so it would need tuning anyway.
/// </summary>
public static class PasswordHasher
{
    /// <summary>OWASP Password Storage Cheat Sheet, PBKDF2-HMAC-SHA256.</summary>
    public const int Iterations = 600_000;

    /// <summary>
    /// For secrets the platform generates (the relay's 192-bit SMTP passwords): nothing to guess, so the work factor
    /// only has to make a stolen hash useless for a dictionary, and each SMTP AUTH stays cheap.
    /// </summary>
    public const int RandomSecretIterations = 100_000;

    private const int SaltSize = 16;
    private const int HashSize = 32;

    public static string Hash(string password) => Hash(password, Iterations);

    public static string HashRandomSecret(string secret) => Hash(secret, RandomSecretIterations);

    public static bool Verify(string password, string stored)
    {
        if (Parse(stored) is not { } parsed) return false;
        var (iterations, salt, expected) = parsed;
        var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>A person's password hashed with fewer iterations than today's: hash it again while the password is at hand.</summary>
    public static bool NeedsRehash(string stored) => Parse(stored) is not { Iterations: >= Iterations };

    private static string Hash(string password, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, HashSize);
        return $"pbkdf2-sha256${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    private static (int Iterations, byte[] Salt, byte[] Hash)? Parse(string stored)
    {
        if (stored.Split('$') is not ["pbkdf2-sha256", var count, var salt, var hash]) return null;
        if (!int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations <= 0) return null;
        try
        {
            return (iterations, Convert.FromBase64String(salt), Convert.FromBase64String(hash));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
