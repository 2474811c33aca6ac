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
}
