using Microsoft.Extensions.Options;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Accounts;

/// <summary>Records a link to mail; <see cref="AccountMailer"/> sends it afterwards, so the request answers at once.</summary>
public sealed class AccountLinkIssuer(Database db, AccountLinkTokens tokens, IOptions<AccountLinkOptions> options, TimeProvider time)
{
    /// <summary>The verification link written with a new account, in the sign-up's own transaction.</summary>
    public NewAccountLink Verification(Guid customerId, string email) =>
        New(customerId, LinkPurpose.EmailVerification, email, time.GetUtcNow() + options.Value.VerificationLifetime);

    /// <summary>Records a link for the account unless it already had <see cref="AccountLinkOptions.LinksPerHour"/> of this kind in the last hour.</summary>
    public async Task<bool> IssueAsync(Guid customerId, string email, string purpose, CancellationToken ct)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        await using var work = await db.BeginAsync(ct);
        if (await AccountLinks.LockAndCountAsync(work, customerId, purpose, now - TimeSpan.FromHours(1)) >= settings.LinksPerHour) return false;
        var lifetime = purpose == LinkPurpose.PasswordReset ? settings.ResetLifetime : settings.VerificationLifetime;
        await AccountLinks.InsertAsync(work, New(customerId, purpose, email, now + lifetime), now);
        await work.CommitAsync(ct);
        return true;
    }

    private NewAccountLink New(Guid customerId, string purpose, string email, DateTimeOffset expiresAt)
    {
        var id = Guid.CreateVersion7();
        return new NewAccountLink(id, customerId, purpose, tokens.HashFor(id), email, expiresAt);
    }
}
