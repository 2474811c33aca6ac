using System.Globalization;
using ProMTA.ServiceDefaults.Auth;

namespace ProMTA.Ordering.Domain;

/// <summary>
/// Short-lived signed tokens from POST /api/auth/token. The signature is checked without the database; whether the
/// account still accepts tokens issued then (log out everywhere, a password change, a disabled staff account) is
/// checked by the introspection against the account's row.
/// </summary>
public sealed class AccessTokens(string signingKey)
{
    public const string Prefix = "pat_";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private readonly CallerToken token = new(signingKey, Lifetime);

    public string Create(Caller caller, DateTimeOffset issuedAt) => Prefix + token.Create(caller, issuedAt);

    public DateTimeOffset ExpiresAt(DateTimeOffset issuedAt) => token.ExpiresAt(issuedAt);

    public Caller? Validate(string value, DateTimeOffset now) =>
        value.StartsWith(Prefix, StringComparison.Ordinal) ? token.Validate(value[Prefix.Length..], now) : null;

    /// <summary>The whole second a valid token was issued in (its expiry, a whole second, minus the lifetime).</summary>
    public static DateTimeOffset IssuedAt(string value)
    {
        var expires = long.Parse(value.Split('.')[2], NumberStyles.None, CultureInfo.InvariantCulture);
        return DateTimeOffset.FromUnixTimeSeconds(expires) - Lifetime;
    }

    /// <summary>
    /// Tokens carry whole seconds, and every token issued in or before the second of a revocation is refused
    /// (<see cref="IsRevoked"/>): a token issued right after it, in that same second, is issued as of the next
    /// second instead (living under a second longer), so logging in again works at once.
    /// </summary>
    public static DateTimeOffset IssueTime(DateTimeOffset now, DateTimeOffset? revokedAt) =>
        revokedAt is { } revoked && now.ToUnixTimeSeconds() <= revoked.ToUnixTimeSeconds()
            ? DateTimeOffset.FromUnixTimeSeconds(revoked.ToUnixTimeSeconds() + 1)
            : now;

    public static bool IsRevoked(DateTimeOffset issuedAt, DateTimeOffset? revokedAt) =>
        revokedAt is { } revoked && issuedAt.ToUnixTimeSeconds() <= revoked.ToUnixTimeSeconds();
}
