using Microsoft.Extensions.Time.Testing;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Security;
using Xunit;

namespace ProMTA.Ordering.Tests;

public sealed class CredentialTests
{
    [Fact]
    public void A_password_verifies_only_against_its_own_hash()
    {
        var hash = PasswordHasher.Hash("correct horse battery");
        Assert.True(PasswordHasher.Verify("correct horse battery", hash));
        Assert.False(PasswordHasher.Verify("correct horse batterY", hash));
        Assert.NotEqual(hash, PasswordHasher.Hash("correct horse battery")); // salted
        Assert.DoesNotContain("correct", hash);
    }

    [Fact]
    public void An_access_token_expires_and_cannot_be_forged()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-27T10:00:00Z"));
        var tokens = new AccessTokens(new string('k', 48));
        var caller = new Caller(Guid.NewGuid(), Roles.Customer);
        var token = tokens.Create(caller, time.GetUtcNow());

        Assert.Equal(caller, tokens.Validate(token, time.GetUtcNow()));
        Assert.Null(new AccessTokens(new string('x', 48)).Validate(token, time.GetUtcNow()));
        Assert.Null(tokens.Validate(token.Replace(Roles.Customer, Roles.Operator), time.GetUtcNow()));
        time.Advance(AccessTokens.Lifetime + TimeSpan.FromSeconds(1));
        Assert.Null(tokens.Validate(token, time.GetUtcNow()));
    }

    [Fact]
    public void Api_keys_are_random_and_stored_only_as_a_hash()
    {
        var key = ApiKey.Create();
        Assert.StartsWith(ApiKey.Prefix, key);
        Assert.NotEqual(key, ApiKey.Create());
        Assert.Equal(32, ApiKey.Hash(key).Length);
    }

    [Fact]
    public void People_s_passwords_use_owasp_s_iteration_count_and_older_hashes_are_marked_for_rehash()
    {
        var today = PasswordHasher.Hash("correct horse battery");
        Assert.StartsWith($"pbkdf2-sha256${PasswordHasher.Iterations}$", today);
        Assert.Equal(600_000, PasswordHasher.Iterations);
        Assert.False(PasswordHasher.NeedsRehash(today));

        // A hash from before (100,000 iterations) still verifies, and asks to be replaced.
        var relayStyle = PasswordHasher.HashRandomSecret("correct horse battery");
        Assert.True(PasswordHasher.Verify("correct horse battery", relayStyle));
        Assert.True(PasswordHasher.NeedsRehash(relayStyle));
        Assert.False(PasswordHasher.Verify("x", "pbkdf2-sha256$abc$not base64$!"));
    }

    [Fact]
    public void A_token_issued_in_or_before_the_second_of_a_revocation_is_revoked_and_one_issued_after_it_is_not()
    {
        var tokens = new AccessTokens(new string('k', 48));
        var revokedAt = DateTimeOffset.Parse("2026-11-27T10:00:00.600Z");
        var caller = new Caller(Guid.NewGuid(), Roles.Customer);
        var before = tokens.Create(caller, DateTimeOffset.Parse("2026-11-27T10:00:00.200Z"));
        var sameSecondAfter = AccessTokens.IssueTime(DateTimeOffset.Parse("2026-11-27T10:00:00.900Z"), revokedAt);
        var after = tokens.Create(caller, sameSecondAfter);

        Assert.True(AccessTokens.IsRevoked(AccessTokens.IssuedAt(before), revokedAt));
        Assert.False(AccessTokens.IsRevoked(AccessTokens.IssuedAt(after), revokedAt));
        Assert.False(AccessTokens.IsRevoked(AccessTokens.IssuedAt(before), null));
    }
}
