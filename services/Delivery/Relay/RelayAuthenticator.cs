using System.Security.Cryptography;
using System.Text;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.Delivery.Smtp;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Security;

namespace ProMTA.Delivery.Relay;

/// <summary>
/// AUTH PLAIN/LOGIN against relay_accounts, with failed attempts slowed and locked out per (IP, username) and per IP.
/// A username that is no account is never logged as typed (it may be a password pasted in the wrong field): only a hash.
/// </summary>
internal sealed partial class RelayAuthenticator(Database db, AuthThrottle throttle, TimeProvider time, ILogger<RelayAuthenticator> log) : IUserAuthenticator
{
    /// <summary>"Last used" is kept to the minute: a client opening many sessions a second writes it once a minute, not per session.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public async Task<bool> AuthenticateAsync(ISessionContext context, string user, string password, CancellationToken cancellationToken)
    {
        var ip = RelaySession.ClientIp(context) ?? "unknown";
        if (throttle.IsLockedOut(ip, user))
        {
            LogLockedOut(UsernameHash(user), ip);
            throw RelaySession.Reply(454, "4.7.0 Too many failed authentication attempts; try again later");
        }
        // PostgreSQL refuses NUL in text, and no username is that long: such input is a failure, not a query.
        var account = user.Length is > 0 and <= 256 && !user.Contains('\0') ? await RelayAccounts.FindByUsernameAsync(db, user, cancellationToken) : null;
        if (account?.PasswordHash is { } hash && PasswordHasher.Verify(password, hash))
        {
            throttle.RecordSuccess(ip, user);
            RelaySession.SetService(context, account.ServiceId, account.Stream);
            var now = time.GetUtcNow();
            if (account.LastUsedAt is not { } used || now - used >= LastUsedResolution) await RelayAccounts.MarkUsedAsync(db, account, ip, now, cancellationToken);
            return true;
        }
        var delay = throttle.RecordFailure(ip, user);
        if (account is not null) LogFailedForService(account.ServiceId, ip);
        else LogFailedUnknown(UsernameHash(user), ip);
        await Task.Delay(delay, cancellationToken);
        return false;
    }

    /// <summary>Enough to correlate attempts in the logs without recording what was typed.</summary>
    private static string UsernameHash(string user) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(user)))[..16];

    [LoggerMessage(LogLevel.Warning, "Relay AUTH failed for service {ServiceId} from {ClientIp}")]
    private partial void LogFailedForService(Guid serviceId, string clientIp);

    [LoggerMessage(LogLevel.Warning, "Relay AUTH failed for an unknown username (sha256 {UsernameHash}) from {ClientIp}")]
    private partial void LogFailedUnknown(string usernameHash, string clientIp);

    [LoggerMessage(LogLevel.Warning, "Relay AUTH locked out for username sha256 {UsernameHash} from {ClientIp}")]
    private partial void LogLockedOut(string usernameHash, string clientIp);
}
