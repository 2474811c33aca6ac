using ProMTA.ServiceDefaults.Auth;

namespace ProMTA.Ordering.Domain;

/// <summary>Short-lived signed tokens from POST /api/auth/token: stateless, so checking one needs no database.</summary>
public sealed class AccessTokens(string signingKey)
{
    public const string Prefix = "pat_";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private readonly CallerToken token = new(signingKey, Lifetime);

    public string Create(Caller caller, DateTimeOffset now) => Prefix + token.Create(caller, now);

    public DateTimeOffset ExpiresAt(DateTimeOffset now) => token.ExpiresAt(now);

    public Caller? Validate(string value, DateTimeOffset now) =>
        value.StartsWith(Prefix, StringComparison.Ordinal) ? token.Validate(value[Prefix.Length..], now) : null;
}
