using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.TestKit;
using Xunit;
using static ProMTA.Ordering.Tests.AccountLinkMailTests;

namespace ProMTA.Ordering.Tests;

/// <summary>
/// Teams on Ordering's API: invitations mailed through a real SMTP server (postfix's smtp-sink), accepted from the
/// link in the mail; members act through the credentials the gateway would introspect, so what a member's token or
/// API key stands for (account, own login, role) is what these tests see.
/// </summary>
public sealed class TeamTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string Password = "owner password 1";
    private const string MemberPassword = "member password 1";
    private const string Invitation = "Join Acme Mail on ProMTA";
    private readonly HashSet<string> usedLinks = [];

    [Fact]
    public async Task An_invitation_by_mail_makes_a_member_with_their_own_login_acting_for_the_account_in_the_offered_role()
    {
        var port = FreePort.Next();
        await using var sink = await SmtpSink.StartAsync(port);
        await using var stack = await OrderingStack.StartAsync(postgres, Settings(port));
        var (accountId, owner) = await SignUpAsync(stack, "owner@acme.example");

        using (var invited = await owner.PostAsJsonAsync("/api/account/team/invitations", new { email = "Ann@Acme.example", role = "admin" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, invited.StatusCode);
        }
        var link = Link(await MailToAsync(sink, "Ann@Acme.example", Invitation), "/team/join");
        // Only the token's hash is kept.
        Assert.Equal(0, await stack.ScalarAsync<long>("SELECT count(*) FROM account_links WHERE encode(token_hash, 'escape') LIKE '%' || @T || '%'", new { T = TokenOf(link) }));
        var pending = Assert.Single((await TeamAsync(owner)).GetProperty("invitations").EnumerateArray());
        Assert.Equal("admin", pending.GetProperty("role").GetString());

        using var visitor = stack.Anonymous();
        using (var weak = await visitor.PostAsJsonAsync("/api/team/invitations/accept", new { token = TokenOf(link), name = "Ann", password = "short" }))
        {
            Assert.Equal(["password"], await ErrorFieldsAsync(weak));
        }
        var token = await AcceptAsync(stack, link, "Ann");
        var caller = await stack.IntrospectAsync(token);
        Assert.NotNull(caller);
        Assert.Equal(accountId, caller.CustomerId);
        Assert.Equal(Roles.Customer, caller.Role);
        Assert.Equal(TeamRoles.Admin, caller.MemberRole);
        Assert.NotEqual(accountId, caller.MemberId);

        // Their own login, their own API keys: the owner's are not theirs to see.
        using var ann = stack.ClientAs(caller);
        var me = await ann.GetFromJsonAsync<JsonElement>("/api/me");
        Assert.Equal("Ann@Acme.example", me.GetProperty("email").GetString());
        Assert.Equal(accountId, me.GetProperty("accountId").GetGuid());
        Assert.Equal("admin", me.GetProperty("teamRole").GetString());
        Assert.Equal(0, (await ann.GetFromJsonAsync<JsonElement>("/api/api-keys")).GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.OK, await LogInAsync(visitor, "ann@acme.example", MemberPassword));

        // The link works once; the team now lists Ann and no pending invitation.
        using (var again = await visitor.PostAsJsonAsync("/api/team/invitations/accept", new { token = TokenOf(link), name = "Eve", password = "another password 1" }))
        {
            Assert.Equal(["token"], await ErrorFieldsAsync(again));
        }
        var team = await TeamAsync(ann);
        Assert.Equal(["owner@acme.example:owner", "Ann@Acme.example:admin"],
            team.GetProperty("members").EnumerateArray().Select(m => $"{m.GetProperty("email").GetString()}:{m.GetProperty("role").GetString()}"));
        Assert.Empty(team.GetProperty("invitations").EnumerateArray());
        var audit = await owner.GetFromJsonAsync<JsonElement>("/api/account/team/audit");
        Assert.Equal(["joined:Ann@Acme.example:Ann@Acme.example", "invited:Ann@Acme.example:owner@acme.example"],
            audit.GetProperty("items").EnumerateArray().Select(e => $"{e.GetProperty("action").GetString()}:{e.GetProperty("email").GetString()}:{e.GetProperty("by").GetString()}"));
    }

    [Fact]
    public async Task Admins_may_not_make_or_touch_owners_and_the_accounts_own_login_stays_its_owner()
    {
        var port = FreePort.Next();
        await using var sink = await SmtpSink.StartAsync(port);
        await using var stack = await OrderingStack.StartAsync(postgres, Settings(port));
        var (accountId, owner) = await SignUpAsync(stack, "boss@acme.example");
        var admin = await JoinAsync(stack, sink, owner, "admin@acme.example", "admin");
        var coOwner = await JoinAsync(stack, sink, owner, "co@acme.example", "owner");
        using var adminClient = stack.ClientAs(admin);

        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(adminClient.PostAsJsonAsync("/api/account/team/invitations", new { email = "x@acme.example", role = "owner" })));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(adminClient.DeleteAsync($"/api/account/team/members/{coOwner.MemberId}")));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(adminClient.PutAsJsonAsync($"/api/account/team/members/{coOwner.MemberId}", new { role = "read-only" })));
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(adminClient.DeleteAsync($"/api/account/team/members/{accountId}")));
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(owner.PutAsJsonAsync($"/api/account/team/members/{accountId}", new { role = "admin" })));
        // An admin invites and changes the other roles.
        Assert.Equal(HttpStatusCode.Accepted, await StatusAsync(adminClient.PostAsJsonAsync("/api/account/team/invitations", new { email = "books@acme.example", role = "billing" })));
        using (var bad = await adminClient.PostAsJsonAsync("/api/account/team/invitations", new { email = "books@acme.example", role = "superuser" }))
        {
            Assert.Equal(["role"], await ErrorFieldsAsync(bad));
        }
        // An owner may change an owner.
        Assert.Equal(HttpStatusCode.NoContent, await StatusAsync(owner.PutAsJsonAsync($"/api/account/team/members/{coOwner.MemberId}", new { role = "admin" })));
        Assert.Equal(HttpStatusCode.NoContent, await StatusAsync(adminClient.PutAsJsonAsync($"/api/account/team/members/{coOwner.MemberId}", new { role = "read-only" })));
        // Another account's member is nobody here.
        var (_, stranger) = await SignUpAsync(stack, "stranger@other.example");
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(stranger.DeleteAsync($"/api/account/team/members/{admin.MemberId}")));
        Assert.Equal(["boss@acme.example:owner", "admin@acme.example:admin", "co@acme.example:read-only"],
            (await TeamAsync(owner)).GetProperty("members").EnumerateArray().Select(m => $"{m.GetProperty("email").GetString()}:{m.GetProperty("role").GetString()}"));
    }

    [Fact]
    public async Task Read_only_and_billing_members_may_not_change_the_team_but_keep_their_own_login_and_keys()
    {
        var port = FreePort.Next();
        await using var sink = await SmtpSink.StartAsync(port);
        await using var stack = await OrderingStack.StartAsync(postgres, Settings(port));
        var (_, owner) = await SignUpAsync(stack, "lead@acme.example");
        var reader = await JoinAsync(stack, sink, owner, "reader@acme.example", "read-only");
        var books = await JoinAsync(stack, sink, owner, "books@acme.example", "billing");

        foreach (var member in new[] { reader, books })
        {
            using var client = stack.ClientAs(member);
            // Refused before the body is read: a malformed request is a 403 as well.
            Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(client.PostAsJsonAsync("/api/account/team/invitations", new { email = "x@acme.example", role = "read-only" })));
            Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(client.PostAsync("/api/account/team/invitations", new StringContent("{", System.Text.Encoding.UTF8, "application/json"))));
            Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(client.DeleteAsync($"/api/account/team/members/{member.MemberId}")));
            Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(client.PostAsJsonAsync("/api/orders", new { productId = "promta-starter", paymentMethodId = "pm_card_visa" })));
            Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(client.GetAsync("/api/account/team/audit")));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(client.GetAsync("/api/account/team")));
            Assert.Equal(HttpStatusCode.Created, await StatusAsync(client.PostAsync("/api/api-keys", null)));
        }
    }

    [Fact]
    public async Task A_removed_member_is_locked_out_at_once_and_can_only_come_back_by_a_new_invitation()
    {
        var port = FreePort.Next();
        await using var sink = await SmtpSink.StartAsync(port);
        await using var stack = await OrderingStack.StartAsync(postgres, Settings(port));
        var (accountId, owner) = await SignUpAsync(stack, "head@acme.example");
        using var visitor = stack.Anonymous();
        await JoinAsync(stack, sink, owner, "leaver@acme.example", "admin");
        var token = await LogInTokenAsync(visitor, "leaver@acme.example", MemberPassword);
        var leaver = (await stack.IntrospectAsync(token))!;
        using var leaverClient = stack.ClientAs(leaver);
        var apiKey = (await stack.PostJsonAsync(leaverClient, "/api/api-keys", new { })).GetProperty("apiKey").GetString()!;
        Assert.NotNull(await stack.IntrospectAsync(apiKey));

        Assert.Equal(HttpStatusCode.NoContent, await StatusAsync(owner.DeleteAsync($"/api/account/team/members/{leaver.MemberId}")));

        Assert.Null(await stack.IntrospectAsync(token));
        Assert.Null(await stack.IntrospectAsync(apiKey));
        Assert.Equal(HttpStatusCode.Unauthorized, await LogInAsync(visitor, "leaver@acme.example", MemberPassword));
        using (var reset = await visitor.PostAsJsonAsync("/api/auth/password-reset", new { email = "leaver@acme.example" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, reset.StatusCode);
        }
        Assert.Equal(0, await stack.ScalarAsync<long>("SELECT count(*) FROM account_links WHERE purpose = 'password-reset'"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(owner.DeleteAsync($"/api/account/team/members/{leaver.MemberId}")));
        Assert.DoesNotContain((await TeamAsync(owner)).GetProperty("members").EnumerateArray(), m => m.GetProperty("email").GetString() == "leaver@acme.example");
        var audit = await owner.GetFromJsonAsync<JsonElement>("/api/account/team/audit");
        Assert.Equal("removed", audit.GetProperty("items")[0].GetProperty("action").GetString());

        // Invited again: the same login comes back with the new password and the new role; nothing of before revives.
        var back = await JoinAsync(stack, sink, owner, "leaver@acme.example", "read-only", mailsBefore: 1);
        Assert.Equal(leaver.MemberId, back.MemberId);
        Assert.Equal(accountId, back.CustomerId);
        Assert.Equal(TeamRoles.ReadOnly, back.MemberRole);
        Assert.Null(await stack.IntrospectAsync(token));
        Assert.Null(await stack.IntrospectAsync(apiKey));
    }

    [Fact]
    public async Task An_address_that_already_logs_in_elsewhere_cannot_accept_and_the_invitation_stays_usable()
    {
        var port = FreePort.Next();
        await using var sink = await SmtpSink.StartAsync(port);
        await using var stack = await OrderingStack.StartAsync(postgres, Settings(port));
        var (_, owner) = await SignUpAsync(stack, "first@acme.example");
        await SignUpAsync(stack, "taken@other.example");
        Assert.Equal(HttpStatusCode.Accepted, await StatusAsync(owner.PostAsJsonAsync("/api/account/team/invitations", new { email = "taken@other.example", role = "admin" })));
        var link = Link(await MailToAsync(sink, "taken@other.example", Invitation), "/team/join");
        using var visitor = stack.Anonymous();
        using var refused = await visitor.PostAsJsonAsync("/api/team/invitations/accept", new { token = TokenOf(link), name = "T", password = MemberPassword });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Single((await TeamAsync(owner)).GetProperty("invitations").EnumerateArray());
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(owner.PostAsJsonAsync("/api/account/team/invitations", new { email = "FIRST@acme.example", role = "admin" })));
    }

    private static async Task<(Guid AccountId, HttpClient Owner)> SignUpAsync(OrderingStack stack, string email)
    {
        using var visitor = stack.Anonymous();
        await stack.PostJsonAsync(visitor, "/api/customers", new { email, name = "Acme Mail", password = Password });
        var caller = (await stack.IntrospectAsync(await LogInTokenAsync(visitor, email, Password)))!;
        Assert.Equal(TeamRoles.Owner, caller.MemberRole);
        return (caller.CustomerId, stack.ClientAs(caller));
    }

    /// <summary>The owner invites <paramref name="email"/>, who accepts from the mail; the member as the gateway would pass them on.</summary>
    private async Task<Caller> JoinAsync(OrderingStack stack, SmtpSink sink, HttpClient owner, string email, string role, int mailsBefore = 0)
    {
        Assert.Equal(HttpStatusCode.Accepted, await StatusAsync(owner.PostAsJsonAsync("/api/account/team/invitations", new { email, role })));
        // Mails carry whole seconds in their Date: the new one is the link not used before.
        var link = Assert.Single((await MailsToAsync(sink, email, Invitation, mailsBefore + 1)).Select(m => Link(m, "/team/join")).Except(usedLinks));
        usedLinks.Add(link);
        return (await stack.IntrospectAsync(await AcceptAsync(stack, link, "Member")))!;
    }

    private static async Task<string> AcceptAsync(OrderingStack stack, string link, string name)
    {
        using var visitor = stack.Anonymous();
        return (await stack.PostJsonAsync(visitor, "/api/team/invitations/accept", new { token = TokenOf(link), name, password = MemberPassword }))
            .GetProperty("accessToken").GetString()!;
    }

    private static async Task<string> LogInTokenAsync(HttpClient visitor, string email, string password)
    {
        using var response = await visitor.PostAsJsonAsync("/api/auth/token", new { email, password });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    private static async Task<HttpStatusCode> LogInAsync(HttpClient visitor, string email, string password)
    {
        using var response = await visitor.PostAsJsonAsync("/api/auth/token", new { email, password });
        return response.StatusCode;
    }

    private static async Task<JsonElement> TeamAsync(HttpClient client) => await client.GetFromJsonAsync<JsonElement>("/api/account/team");

    private static async Task<HttpStatusCode> StatusAsync(Task<HttpResponseMessage> request)
    {
        using var response = await request;
        return response.StatusCode;
    }
}
