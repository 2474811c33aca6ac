using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace ProMTA.ServiceDefaults.Auth;

/// <summary>Who is calling, as the gateway established it.</summary>
public sealed record Caller(Guid CustomerId, string Role);

/// <summary>
/// The gateway authenticates the customer once and passes the result to the services in a header signed with
/// a secret shared only inside the platform, so a service never trusts an identity a client made up.
/// </summary>
public sealed class CallerToken(string secret, TimeSpan lifetime)
{
    public CallerToken(string secret) : this(secret, TimeSpan.FromMinutes(1)) { }

    public const string HeaderName = "X-ProMTA-Caller";

    public DateTimeOffset ExpiresAt(DateTimeOffset now) => DateTimeOffset.FromUnixTimeSeconds((now + lifetime).ToUnixTimeSeconds());

    public string Create(Caller caller, DateTimeOffset now)
    {
        var payload = $"{caller.CustomerId:N}.{caller.Role}.{ExpiresAt(now).ToUnixTimeSeconds()}";
        return $"{payload}.{Sign(payload)}";
    }

    public Caller? Validate(string? token, DateTimeOffset now)
    {
        var parts = token?.Split('.');
        if (parts is not { Length: 4 }) return null;
        var payload = string.Join('.', parts[..3]);
        var expected = Encoding.ASCII.GetBytes(Sign(payload));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(parts[3]))) return null;
        if (!long.TryParse(parts[2], out var expires) || DateTimeOffset.FromUnixTimeSeconds(expires) < now) return null;
        return Guid.TryParseExact(parts[0], "N", out var id) ? new Caller(id, parts[1]) : null;
    }

    private string Sign(string payload) =>
        WebEncoders.Base64UrlEncode(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(payload)));
}
