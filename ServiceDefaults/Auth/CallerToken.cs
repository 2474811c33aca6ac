using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace ProMTA.ServiceDefaults.Auth;

/// <summary>
/// Who is calling, as the gateway established it. <see cref="CustomerId"/> is the tenant (the customer account) every
/// route isolates by; for a customer, <see cref="MemberId"/> is the team member's own login and <see cref="MemberRole"/>
/// their <see cref="TeamRoles">team role</see>, <see cref="MemberEmail"/> their address, so an audit log can name who acted
/// (all null for staff, and for an account's owner in tokens made before teams).
/// </summary>
public sealed record Caller(Guid CustomerId, string Role, Guid? MemberId = null, string? MemberRole = null, string? MemberEmail = null);

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
        // A caller without a member keeps the four-part shape, which access tokens issued before teams also have.
        var payload = caller.MemberId is { } member
            ? $"{caller.CustomerId:N}.{caller.Role}.{ExpiresAt(now).ToUnixTimeSeconds()}.{member:N}.{caller.MemberRole}.{WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(caller.MemberEmail ?? ""))}"
            : $"{caller.CustomerId:N}.{caller.Role}.{ExpiresAt(now).ToUnixTimeSeconds()}";
        return $"{payload}.{Sign(payload)}";
    }

    public Caller? Validate(string? token, DateTimeOffset now)
    {
        var parts = token?.Split('.');
        if (parts is not { Length: 4 or 7 }) return null;
        var payload = string.Join('.', parts[..^1]);
        var expected = Encoding.ASCII.GetBytes(Sign(payload));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(parts[^1]))) return null;
        if (!long.TryParse(parts[2], out var expires) || DateTimeOffset.FromUnixTimeSeconds(expires) < now) return null;
        if (!Guid.TryParseExact(parts[0], "N", out var id)) return null;
        if (parts.Length == 4) return new Caller(id, parts[1]);
        if (!Guid.TryParseExact(parts[3], "N", out var member) || !TeamRoles.IsKnown(parts[4])) return null;
        var email = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(parts[5]));
        return new Caller(id, parts[1], member, parts[4], email.Length == 0 ? null : email);
    }

    private string Sign(string payload) =>
        WebEncoders.Base64UrlEncode(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(payload)));
}
