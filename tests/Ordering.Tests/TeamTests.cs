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
    public async Task An_account_has_one_owner_whom_nobody_changes_or_removes_and_only_the_owner_hands_it_on_with_their_password()
    {
        var port = FreePort.Next();
        await using var sink = await SmtpSink.StartAsync(port);
        await using var stack = await OrderingStack.StartAsync(postgres, Settings(port));
        var (accountId, owner) = await SignUpAsync(stack, "boss@acme.example");
        var admin = await JoinAsync(stack, sink, owner, "admin@acme.example", "admin");
        var reader = await JoinAsync(stack, sink, owner, "reader@acme.example", "read-only");
        using var adminClient = stack.ClientAs(admin);

        // Nobody makes a second owner, and nobody changes or removes the owner.
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(owner.PostAsJsonAsync("/api/account/team/invitations", new { email = "x@acme.example", role = "owner" })));
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(owner.PutAsJsonAsync($"/api/account/team/members/{reader.MemberId}", new { role = "owner" })));
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(adminClient.DeleteAsync($"/api/account/team/members/{accountId}")));
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(adminClient.PutAsJsonAsync($"/api/account/team/members/{accountId}", new { role = "admin" })));
        // An admin invites and changes the other roles.
        Assert.Equal(HttpStatusCode.Accepted, await StatusAsync(adminClient.PostAsJsonAsync("/api/account/team/invitations", new { email = "books@acme.example", role = "billing" })));
        using (var bad = await adminClient.PostAsJsonAsync("/api/account/team/invitations", new { email = "books@acme.example", role = "superuser" }))
        {
            Assert.Equal(["role"], await ErrorFieldsAsync(bad));
        }

        // Only the owner hands the account on, to a member, confirming with their own password.
        var transfer = "/api/account/team/ownership";
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(adminClient.PostAsJsonAsync(transfer, new { memberId = admin.MemberId, password = MemberPassword })));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(stack.ClientAs(reader).PostAsJsonAsync(transfer, new { memberId = reader.MemberId, password = MemberPassword })));
        using (var wrong = await owner.PostAsJsonAsync(transfer, new { memberId = admin.MemberId, password = "not the password" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }
        using (var missing = await owner.PostAsJsonAsync(transfer, new { password = Password }))
        {
            Assert.Equal(["memberId"], await ErrorFieldsAsync(missing));
        }
        var (_, stranger) = await SignUpAsync(stack, "stranger@other.example");
        var strangerId = (await stranger.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(owner.PostAsJsonAsync(transfer, new { memberId = strangerId, password = Password })));
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(owner.PostAsJsonAsync(transfer, new { memberId = accountId, password = Password })));
        Assert.Equal(HttpStatusCode.NoContent, await StatusAsync(owner.PostAsJsonAsync(transfer, new { memberId = admin.MemberId, password = Password })));

        // The next request of each counts the new roles (the gateway asks on every request): one owner, the old one an admin.
        using var visitor = stack.Anonymous();
        var oldOwner = (await stack.IntrospectAsync(await LogInTokenAsync(visitor, "boss@acme.example", Password)))!;
        var newOwner = (await stack.IntrospectAsync(await LogInTokenAsync(visitor, "admin@acme.example", MemberPassword)))!;
        Assert.Equal((accountId, TeamRoles.Admin), (oldOwner.CustomerId, oldOwner.MemberRole));
        Assert.Equal((accountId, TeamRoles.Owner), (newOwner.CustomerId, newOwner.MemberRole));
        Assert.Equal(["admin@acme.example:owner", "boss@acme.example:admin", "reader@acme.example:read-only"],
            (await TeamAsync(owner)).GetProperty("members").EnumerateArray().Select(m => $"{m.GetProperty("email").GetString()}:{m.GetProperty("role").GetString()}"));
        Assert.Equal(1, await stack.ScalarAsync<long>("SELECT count(*) FROM memberships WHERE account_id = @accountId AND role = 'owner' AND removed_at IS NULL", new { accountId }));
        // Billing is told, so its notices go to the new owner (docs/teams.md).
        Assert.Equal("admin@acme.example", await stack.ScalarAsync<string>(
            "SELECT body->>'ownerEmail' FROM outbox_messages WHERE message_type LIKE '%AccountOwnerChanged' AND body->>'customerId' = @id", new { id = accountId.ToString() }));
        var audit = (await stack.ClientAs(newOwner).GetFromJsonAsync<JsonElement>("/api/account/team/audit")).GetProperty("items");
        Assert.Equal(["ownership-transferred:admin@acme.example:owner:admin:boss@acme.example", "role-changed:boss@acme.example:admin:owner:boss@acme.example"],
            audit.EnumerateArray().Take(2).Select(e => $"{e.GetProperty("action").GetString()}:{e.GetProperty("email").GetString()}:{e.GetProperty("role").GetString()}:{e.GetProperty("previousRole").GetString()}:{e.GetProperty("by").GetString()}")
                .OrderBy(x => x));
        // Staff see the account under its owner's address, in the list and in the customer view.
        var operatorId = await stack.ScalarAsync<Guid>("INSERT INTO customers (id, email, name, password_hash, role, created_at) VALUES (gen_random_uuid(), 'op@promta.test', 'Olga Operator', 'x', 'operator', now()) RETURNING id");
        using var operatorClient = stack.ClientFor(operatorId, Roles.Operator);
        Assert.Equal("admin@acme.example", (await operatorClient.GetFromJsonAsync<JsonElement>($"/api/admin/customers/{accountId}")).GetProperty("email").GetString());
        Assert.Contains("admin@acme.example", (await operatorClient.GetFromJsonAsync<JsonElement>("/api/admin/customers")).GetProperty("items").EnumerateArray()
            .Where(c => c.GetProperty("id").GetGuid() == accountId).Select(c => c.GetProperty("email").GetString()));
        // The old owner, now an admin, may no longer hand the account on; the new owner may even remove the login that opened it.
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(stack.ClientAs(oldOwner).PostAsJsonAsync(transfer, new { memberId = reader.MemberId, password = Password })));
        Assert.Equal(HttpStatusCode.NoContent, await StatusAsync(stack.ClientAs(newOwner).DeleteAsync($"/api/account/team/members/{accountId}")));
        Assert.Equal(HttpStatusCode.Unauthorized, await LogInAsync(visitor, "boss@acme.example", Password));
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
    public async Task A_login_joins_a_second_account_by_its_own_password_or_signed_in_and_each_credential_acts_on_one_account()
    {
        var port = FreePort.Next();
        await using var sink = await SmtpSink.StartAsync(port);
        await using var stack = await OrderingStack.StartAsync(postgres, Settings(port));
        var (accountA, ownerA) = await SignUpAsync(stack, "first@acme.example");
        var (accountB, ownerB) = await SignUpAsync(stack, "taken@other.example");
        using var visitor = stack.Anonymous();
        var tokenB = await LogInTokenAsync(visitor, "taken@other.example", Password);

        // By the public link: the address's login must prove itself with its own password; the link survives a wrong one.
        Assert.Equal(HttpStatusCode.Accepted, await StatusAsync(ownerA.PostAsJsonAsync("/api/account/team/invitations", new { email = "taken@other.example", role = "read-only" })));
        var link = Link(await MailToAsync(sink, "taken@other.example", Invitation), "/team/join");
        using (var refused = await visitor.PostAsJsonAsync("/api/team/invitations/accept", new { token = TokenOf(link), name = "Someone", password = "a guessed password" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        Assert.Single((await TeamAsync(ownerA)).GetProperty("invitations").EnumerateArray());
        var joined = await stack.PostJsonAsync(visitor, "/api/team/invitations/accept", new { token = TokenOf(link), password = Password });
        var tokenA = joined.GetProperty("accessToken").GetString()!;
        var inA = (await stack.IntrospectAsync(tokenA))!;
        var login = (await stack.IntrospectAsync(tokenB))!.MemberId;
        Assert.Equal((accountA, login, TeamRoles.ReadOnly), (inA.CustomerId, inA.MemberId, inA.MemberRole));
        // The link works once.
        using (var replayed = await visitor.PostAsJsonAsync("/api/team/invitations/accept", new { token = TokenOf(link), password = Password }))
        {
            Assert.Equal(["token"], await ErrorFieldsAsync(replayed));
        }

        // One login, two accounts: the token says which; its own account comes first at log-in; another is asked for.
        var inB = (await stack.IntrospectAsync(await LogInTokenAsync(visitor, "taken@other.example", Password)))!;
        Assert.Equal((accountB, TeamRoles.Owner), (inB.CustomerId, inB.MemberRole));
        using (var chosen = await visitor.PostAsJsonAsync("/api/auth/token", new { email = "taken@other.example", password = Password, accountId = accountA }))
        {
            var caller = (await stack.IntrospectAsync((await chosen.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!))!;
            Assert.Equal((accountA, TeamRoles.ReadOnly), (caller.CustomerId, caller.MemberRole));
        }
        using (var notMine = await visitor.PostAsJsonAsync("/api/auth/token", new { email = "first@acme.example", password = Password, accountId = accountB }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, notMine.StatusCode);
        }
        var memberships = await stack.ClientAs(inB).GetFromJsonAsync<JsonElement>("/api/account/memberships");
        Assert.Equal([$"{accountB}:owner:True", $"{accountA}:read-only:False"],
            memberships.EnumerateArray().Select(m => $"{m.GetProperty("accountId").GetGuid()}:{m.GetProperty("role").GetString()}:{m.GetProperty("current").GetBoolean()}"));

        // Switching exchanges an access token for one acting on another membership; never an API key, never a stranger's account.
        var switched = (await stack.IntrospectAsync((await stack.PostJsonAsync(visitor, "/api/auth/switch", new { accessToken = tokenB, accountId = accountA }))
            .GetProperty("accessToken").GetString()!))!;
        Assert.Equal((accountA, login, TeamRoles.ReadOnly), (switched.CustomerId, switched.MemberId, switched.MemberRole));
        var (accountC, ownerC) = await SignUpAsync(stack, "third@else.example");
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(visitor.PostAsJsonAsync("/api/auth/switch", new { accessToken = tokenB, accountId = accountC })));
        var keyB = (await stack.PostJsonAsync(stack.ClientAs(inB), "/api/api-keys", new { })).GetProperty("apiKey").GetString()!;
        var keyA = (await stack.PostJsonAsync(stack.ClientAs(inA), "/api/api-keys", new { })).GetProperty("apiKey").GetString()!;
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(visitor.PostAsJsonAsync("/api/auth/switch", new { accessToken = keyB, accountId = accountA })));
        // An API key acts on the account it was made in, and is listed there only.
        Assert.Equal((accountA, TeamRoles.ReadOnly), ((await stack.IntrospectAsync(keyA))!.CustomerId, (await stack.IntrospectAsync(keyA))!.MemberRole));
        Assert.Equal((accountB, TeamRoles.Owner), ((await stack.IntrospectAsync(keyB))!.CustomerId, (await stack.IntrospectAsync(keyB))!.MemberRole));
        Assert.Equal(1, (await stack.ClientAs(inA).GetFromJsonAsync<JsonElement>("/api/api-keys")).GetProperty("total").GetInt32());
        // Acting on A, the team read is A's, and A's read-only role holds (B's ownership lends nothing).
        using var actingOnA = stack.ClientAs(inA);
        Assert.Equal(["first@acme.example", "taken@other.example"], (await TeamAsync(actingOnA)).GetProperty("members").EnumerateArray().Select(m => m.GetProperty("email").GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(actingOnA.PostAsJsonAsync("/api/account/team/invitations", new { email = "y@acme.example", role = "admin" })));

        // Signed in: the invitation must be for the signed-in login's own address; one into an account it is already in is refused.
        Assert.Equal(HttpStatusCode.Accepted, await StatusAsync(ownerC.PostAsJsonAsync("/api/account/team/invitations", new { email = "taken@other.example", role = "billing" })));
        Assert.Equal(HttpStatusCode.Accepted, await StatusAsync(ownerC.PostAsJsonAsync("/api/account/team/invitations", new { email = "taken@other.example", role = "admin" })));
        var links = (await MailsToAsync(sink, "taken@other.example", "Join Acme Mail on ProMTA", 3)).Select(m => Link(m, "/team/join")).Where(l => l != link).ToList();
        Assert.Equal(2, links.Count);
        var firstLogin = (await stack.IntrospectAsync(await LogInTokenAsync(visitor, "first@acme.example", Password)))!;
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(stack.ClientAs(firstLogin).PostAsJsonAsync("/api/account/memberships", new { token = TokenOf(links[0]) })));
        using (var accepted = await stack.ClientAs(inB).PostAsJsonAsync("/api/account/memberships", new { token = TokenOf(links[0]) }))
        {
            Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
            Assert.Equal(accountC, (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accountId").GetGuid());
        }
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(stack.ClientAs(inB).PostAsJsonAsync("/api/account/memberships", new { token = TokenOf(links[1]) })));
        Assert.Single((await TeamAsync(ownerC)).GetProperty("invitations").EnumerateArray());
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(ownerC.PostAsJsonAsync("/api/account/team/invitations", new { email = "TAKEN@other.example", role = "admin" })));

        // Removed from A: A's token and key end at once; B's and C's memberships, the login and its password go on.
        Assert.Equal(HttpStatusCode.NoContent, await StatusAsync(ownerA.DeleteAsync($"/api/account/team/members/{login}")));
        Assert.Null(await stack.IntrospectAsync(tokenA));
        Assert.Null(await stack.IntrospectAsync(keyA));
        Assert.Equal(accountB, (await stack.IntrospectAsync(tokenB))!.CustomerId);
        Assert.Equal(accountB, (await stack.IntrospectAsync(keyB))!.CustomerId);
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(visitor.PostAsJsonAsync("/api/auth/switch", new { accessToken = tokenB, accountId = accountA })));
        Assert.Equal(2, (await stack.ClientAs(inB).GetFromJsonAsync<JsonElement>("/api/account/memberships")).GetArrayLength());

        // The login leaves C by itself (any role may); it cannot leave B, which it owns, nor an account it is not in.
        var tokenC = (await stack.PostJsonAsync(visitor, "/api/auth/switch", new { accessToken = tokenB, accountId = accountC })).GetProperty("accessToken").GetString()!;
        Assert.Equal(accountC, (await stack.IntrospectAsync(tokenC))!.CustomerId);
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(stack.ClientAs(inB).DeleteAsync($"/api/account/memberships/{accountB}")));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(stack.ClientAs(inB).DeleteAsync($"/api/account/memberships/{accountA}")));
        Assert.Equal(HttpStatusCode.NoContent, await StatusAsync(stack.ClientAs(inB).DeleteAsync($"/api/account/memberships/{accountC}")));
        Assert.Null(await stack.IntrospectAsync(tokenC));
        Assert.Equal("removed:taken@other.example:taken@other.example",
            (await ownerC.GetFromJsonAsync<JsonElement>("/api/account/team/audit")).GetProperty("items").EnumerateArray()
                .Select(e => $"{e.GetProperty("action").GetString()}:{e.GetProperty("email").GetString()}:{e.GetProperty("by").GetString()}").First());
        Assert.Equal(1, (await stack.ClientAs(inB).GetFromJsonAsync<JsonElement>("/api/account/memberships")).GetArrayLength());
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
