using ProMTA.Ordering.Apis;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Teams;

/// <summary>
/// One login, several accounts (docs/teams.md): a customer's access token names the login and the account it acts on;
/// an API key names its one account. Each request is checked against the membership as it is now, so a removal, a role
/// change or an ownership transfer counts from the next request on.
/// </summary>
public sealed class Sessions(Database db, CustomerRepository customers, AccessTokens tokens, TimeProvider time)
{
    /// <summary>
    /// A token for the login acting on <paramref name="accountId"/> (null: the login's first account), or null when the
    /// login is no active member there. Staff tokens name the staff member only.
    /// </summary>
    public async Task<TokenResponse?> IssueAsync(CustomerRow login, Guid? accountId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (login.Role != Roles.Customer)
        {
            if (accountId is not null) return null;
            var staffIssuedAt = AccessTokens.IssueTime(now, login.TokensRevokedAt);
            return new TokenResponse(tokens.Create(new Caller(login.Id, login.Role), staffIssuedAt), tokens.ExpiresAt(staffIssuedAt));
        }
        await using var connection = await db.OpenAsync(ct);
        var membership = accountId is { } account
            ? await Memberships.FindActiveAsync(connection, login.Id, account)
            : await Memberships.FirstActiveAsync(connection, login.Id);
        if (membership is null) return null;
        // Issued after the later of the two revocations, so a token made right after either works at once.
        var revokedAt = Later(login.TokensRevokedAt, membership.TokensRevokedAt);
        var issuedAt = AccessTokens.IssueTime(now, revokedAt);
        var caller = new Caller(membership.AccountId, Roles.Customer, login.Id, membership.Role, login.Email);
        return new TokenResponse(tokens.Create(caller, issuedAt), tokens.ExpiresAt(issuedAt));
    }

    /// <summary>Who an access token stands for now, or null (expired, revoked, the membership ended).</summary>
    public async Task<Caller?> ResolveTokenAsync(string token, CancellationToken ct)
    {
        if (tokens.Validate(token, time.GetUtcNow()) is not { } claimed) return null;
        var issuedAt = AccessTokens.IssuedAt(token);
        // A token from before memberships names only the login (as CustomerId): it acts on the login's own account.
        var loginId = claimed.MemberId ?? claimed.CustomerId;
        var login = await customers.FindByIdAsync(loginId, ct);
        if (login is null || login.IsDisabled || AccessTokens.IsRevoked(issuedAt, login.TokensRevokedAt)) return null;
        if (login.Role != Roles.Customer) return new Caller(login.Id, login.Role);
        var accountId = claimed.MemberId is null ? login.AccountId ?? login.Id : claimed.CustomerId;
        await using var connection = await db.OpenAsync(ct);
        var membership = await Memberships.FindActiveAsync(connection, login.Id, accountId);
        return membership is null || AccessTokens.IsRevoked(issuedAt, membership.TokensRevokedAt)
            ? null
            : new Caller(accountId, Roles.Customer, login.Id, membership.Role, login.Email);
    }

    /// <summary>Who an API key stands for now: staff, or the login in the key's one account while that membership lasts.</summary>
    public async Task<Caller?> ResolveKeyAsync(byte[] keyHash, CancellationToken ct)
    {
        if (await customers.FindByApiKeyAsync(keyHash, time.GetUtcNow(), ct) is not { } owner) return null;
        if (owner.Role != Roles.Customer) return new Caller(owner.LoginId, owner.Role);
        if (owner.AccountId is not { } accountId) return null;
        await using var connection = await db.OpenAsync(ct);
        var membership = await Memberships.FindActiveAsync(connection, owner.LoginId, accountId);
        return membership is null ? null : new Caller(accountId, Roles.Customer, owner.LoginId, membership.Role, owner.Email);
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
