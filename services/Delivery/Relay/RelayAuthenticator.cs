using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Security;
using SmtpServer;
using SmtpServer.Authentication;

namespace ProMTA.Delivery.Relay;

/// <summary>AUTH PLAIN/LOGIN against relay_accounts, with failed attempts slowed and locked out per IP and username.</summary>
internal sealed partial class RelayAuthenticator(Database db, AuthThrottle throttle, ILogger<RelayAuthenticator> log) : IUserAuthenticator
{
    public async Task<bool> AuthenticateAsync(ISessionContext context, string user, string password, CancellationToken cancellationToken)
    {
        var ip = RelaySession.ClientIp(context) ?? "unknown";
        string[] keys = [$"ip:{ip}", $"user:{user}"];
        if (throttle.IsLockedOut(keys))
        {
            LogLockedOut(user, ip);
            throw RelaySession.Reply(454, "4.7.0 Too many failed authentication attempts; try again later");
        }
        var account = await RelayAccounts.FindByUsernameAsync(db, user, cancellationToken);
        if (account?.PasswordHash is { } hash && PasswordHasher.Verify(password, hash))
        {
            throttle.RecordSuccess($"user:{user}");
            RelaySession.SetService(context, account.ServiceId);
            return true;
        }
        var delay = throttle.RecordFailure(keys);
        LogFailed(user, ip);
        await Task.Delay(delay, cancellationToken);
        return false;
    }

    [LoggerMessage(LogLevel.Warning, "Relay AUTH failed for {Username} from {ClientIp}")]
    private partial void LogFailed(string username, string clientIp);

    [LoggerMessage(LogLevel.Warning, "Relay AUTH locked out for {Username} from {ClientIp}")]
    private partial void LogLockedOut(string username, string clientIp);
}
