using ProMTA.ServiceDefaults.Auth;
using Xunit;

namespace ProMTA.ServiceDefaults.Tests;

/// <summary>The caller token carries a team member, and the role matrix every service's gate applies (docs/teams.md).</summary>
public sealed class TeamRoleTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    [Fact]
    public void A_member_travels_in_the_caller_token_with_their_role_and_address()
    {
        var tokens = new CallerToken(new string('k', 32));
        var member = new Caller(Guid.NewGuid(), Roles.Customer, Guid.NewGuid(), TeamRoles.Billing, "jo.o'neil+bills@acme.example");
        Assert.Equal(member, tokens.Validate(tokens.Create(member, Now), Now));
        var staff = new Caller(Guid.NewGuid(), Roles.Operator);
        Assert.Equal(staff, tokens.Validate(tokens.Create(staff, Now), Now));
    }

    [Fact]
    public void A_token_whose_role_was_changed_or_that_names_an_unknown_role_is_refused()
    {
        var tokens = new CallerToken(new string('k', 32));
        var token = tokens.Create(new Caller(Guid.NewGuid(), Roles.Customer, Guid.NewGuid(), TeamRoles.ReadOnly, "r@acme.example"), Now);
        Assert.Null(tokens.Validate(token.Replace(".read-only.", ".owner.", StringComparison.Ordinal), Now));
        var forged = new CallerToken(new string('k', 32)).Create(new Caller(Guid.NewGuid(), Roles.Customer, Guid.NewGuid(), "superuser"), Now);
        Assert.Null(tokens.Validate(forged, Now));
    }

    [Theory]
    [InlineData("owner", true, true, true)]
    [InlineData("admin", true, true, true)]
    [InlineData("billing", false, true, true)]
    [InlineData("read-only", false, false, true)]
    public void The_role_matrix(string role, bool account, bool billing, bool self)
    {
        Assert.Equal(account, TeamRoles.MayChange(role, RouteKind.Account));
        Assert.Equal(billing, TeamRoles.MayChange(role, RouteKind.Billing));
        Assert.Equal(self, TeamRoles.MayChange(role, RouteKind.Self));
    }
}
