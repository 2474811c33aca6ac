using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Accounts;

/// <summary>Using a mailed link: each works once, before it expires; the change and the link's use commit together.</summary>
public sealed class AccountLinkRedemption(Database db, TimeProvider time)
{
    // Every access token issued until now ends, like a password change; a disabled staff account or a login removed from every account cannot be
    // reopened this way. The mail reached the customer, so an address not yet verified now is.
    private const string ResetPasswordSql = """
        UPDATE customers SET password_hash = @PasswordHash, tokens_revoked_at = @Now,
               email_verified_at = COALESCE(email_verified_at, CASE WHEN lower(email) = lower(@Email) THEN @Now END)
        WHERE id = @CustomerId AND disabled_at IS NULL
          AND (role <> 'customer' OR EXISTS (SELECT 1 FROM memberships m WHERE m.login_id = customers.id AND m.removed_at IS NULL))
        """;
    private const string VerifySql = """
        UPDATE customers SET email_verified_at = COALESCE(email_verified_at, @Now) WHERE id = @CustomerId AND lower(email) = lower(@Email)
        """;

    /// <summary>False when the token names no usable reset link (unknown, used, expired) or a disabled account.</summary>
    public async Task<bool> ResetPasswordAsync(string token, string passwordHash, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var work = await db.BeginAsync(ct);
        var link = await AccountLinks.UseAsync(work, AccountLinkTokens.Hash(token), LinkPurpose.PasswordReset, now);
        if (link is null) return false;
        if (await work.ExecuteAsync(ResetPasswordSql, new { link.CustomerId, link.Email, PasswordHash = passwordHash, Now = now }) == 0) return false;
        // An older reset link still in a mailbox must not undo this one.
        await AccountLinks.RetireAsync(work, link.CustomerId, LinkPurpose.PasswordReset, now);
        await work.CommitAsync(ct);
        return true;
    }

    /// <summary>False when the token names no usable verification link, or the account's address changed since.</summary>
    public async Task<bool> VerifyEmailAsync(string token, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var work = await db.BeginAsync(ct);
        var link = await AccountLinks.UseAsync(work, AccountLinkTokens.Hash(token), LinkPurpose.EmailVerification, now);
        if (link is null || await work.ExecuteAsync(VerifySql, new { link.CustomerId, link.Email, Now = now }) == 0) return false;
        await AccountLinks.RetireAsync(work, link.CustomerId, LinkPurpose.EmailVerification, now);
        await work.CommitAsync(ct);
        return true;
    }
}
