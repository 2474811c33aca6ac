using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MimeKit;
using ProMTA.EndToEnd.HostileInput;
using Xunit;
using Xunit.Abstractions;

namespace ProMTA.EndToEnd;

/// <summary>
/// Issue 20, section 3: team roles hold on every route of every service. Members invited by mail (the link read from
/// the caught mail) walk every operation of the services' own OpenAPI documents through the gateway: a read-only
/// member gets 403 on every change, a billing member on every change that is not billing, and neither is refused a
/// read. A removed member's token and API key stop at once.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class TeamRolesTests(PlatformFixture platform, ITestOutputHelper output)
{
    private static readonly string[] Services = ["ordering", "billing", "delivery", "dns", "provisioning"];

    /// <summary>Changes every member may make: public routes (no login) and the caller's own login and API keys.</summary>
    private static readonly HashSet<string> OpenToEveryMember =
    [
        "POST /api/customers", "POST /api/auth/token", "POST /api/demo-requests", "POST /api/contact", "POST /api/auth/password-reset",
        "POST /api/auth/password-reset/confirm", "POST /api/auth/email-verification/confirm", "POST /api/webhooks/stripe",
        "POST /api/team/invitations/accept", "POST /api/auth/switch", "POST /api/account/memberships",
        "DELETE /api/account/memberships/{accountId}",
        "PUT /api/account/password", "POST /api/auth/logout-everywhere", "POST /api/account/email-verification",
        "POST /api/api-keys", "DELETE /api/api-keys/{keyId}",
    ];

    /// <summary>The billing changes: payment method (and the card-entry session that makes one), the billing profile and billing day.</summary>
    private static readonly HashSet<string> BillingChanges = ["POST /api/payment-methods", "POST /api/checkout-sessions", "PUT /api/account/billing-profile", "PUT /api/account/billing-day"];

    /// <summary>Reads only owners and admins may make: the team's own history.</summary>
    private static readonly HashSet<string> OwnerAndAdminReads = ["GET /api/account/team/audit"];

    [Fact]
    public async Task Read_only_members_may_change_nothing_and_billing_members_only_billing_on_every_route_of_every_service()
    {
        var (owner, ids) = await OwnerWithAnOrderAsync();
        var readOnly = await InviteAsync(owner, "read-only");
        var billing = await InviteAsync(owner, "billing");

        var operations = new List<(ApiOperation Operation, JsonObject Document)>();
        foreach (var service in Services)
        {
            using var client = platform.ServiceClient(service);
            var document = (await client.GetFromJsonAsync<JsonObject>("/internal/openapi/v1.json"))!;
            operations.AddRange(ApiOperation.Read(service, document).Select(o => (o, document)));
        }

        var wrong = new List<string>();
        var checkedWrites = 0;
        // Reads first: a billing member's plausible changes come last, so nothing they may do hides a refusal.
        foreach (var (operation, document) in operations.OrderBy(o => o.Operation.Method == "GET" ? 0 : 1))
        {
            var key = operation.ToString();
            var isRead = operation.Method == "GET";
            if (!isRead && OpenToEveryMember.Contains(key)) continue;
            foreach (var (role, token) in new[] { ("read-only", readOnly.Token), ("billing", billing.Token) })
            {
                var status = await SendAsync(new RequestVariants(operation, document, ids).Plausible().Single(), token);
                var staffOnly = operation.Path.StartsWith("/api/admin/", StringComparison.Ordinal) || OwnerAndAdminReads.Contains(key);
                var mayChange = role == "billing" && BillingChanges.Contains(key);
                if (status == HttpStatusCode.Unauthorized) wrong.Add($"{role} {key}: 401 (the member's login stopped working)");
                else if (isRead && !staffOnly && status == HttpStatusCode.Forbidden) wrong.Add($"{role} {key}: a read refused with 403");
                else if (!isRead && !mayChange && status != HttpStatusCode.Forbidden) wrong.Add($"{role} {key}: a change answered {(int)status}, not 403");
                else if (!isRead && mayChange && status == HttpStatusCode.Forbidden) wrong.Add($"{role} {key}: a billing change refused with 403");
                if (!isRead) checkedWrites++;
            }
        }
        output.WriteLine($"{operations.Count} operations, {checkedWrites} changes tried by a read-only and a billing member");
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.True(checkedWrites > 60, $"only {checkedWrites} changes tried: the OpenAPI documents were not read");

        // Nothing changed for the owner: the service is theirs and still there, the team unchanged.
        Assert.Equal(ids.ServiceId, (await owner.GetJsonAsync($"/api/services/{ids.ServiceId}")).GetProperty("serviceId").GetGuid());
        Assert.Equal(3, (await owner.GetJsonAsync("/api/account/team")).GetProperty("members").GetArrayLength());
    }

    [Fact]
    public async Task A_removed_members_token_and_api_key_stop_at_the_next_request()
    {
        var (owner, ids) = await OwnerWithAnOrderAsync();
        var admin = await InviteAsync(owner, "admin");
        var member = new Customer(platform.Gateway, admin.Token, admin.Email);
        using var created = await member.PostAsync("/api/api-keys");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var keyed = new Customer(platform.Gateway, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("apiKey").GetString()!, admin.Email);
        // Both work, and act for the owner's account.
        Assert.Equal(ids.ServiceId, (await member.GetJsonAsync($"/api/services/{ids.ServiceId}")).GetProperty("serviceId").GetGuid());
        Assert.Equal(ids.ServiceId, (await keyed.GetJsonAsync($"/api/services/{ids.ServiceId}")).GetProperty("serviceId").GetGuid());

        var memberId = (await member.GetJsonAsync("/api/me")).GetProperty("id").GetGuid();
        using (var removed = await owner.DeleteAsync($"/api/account/team/members/{memberId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }
        using var byToken = await member.GetAsync($"/api/services/{ids.ServiceId}");
        using var byKey = await keyed.GetAsync($"/api/services/{ids.ServiceId}");
        Assert.Equal(HttpStatusCode.Unauthorized, byToken.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, byKey.StatusCode);
        var audit = await owner.GetJsonAsync("/api/account/team/audit");
        Assert.Equal(["removed", "joined", "invited"], audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task A_login_in_two_accounts_acts_on_one_at_a_time_and_its_role_and_reach_are_that_accounts()
    {
        // Two accounts with a service each; B's owner joins A as an admin with B's own login (its password proves it).
        var (ownerA, a) = await OwnerWithAnOrderAsync();
        var (ownerB, b) = await OwnerWithAnOrderAsync();
        using (var invited = await ownerA.PostAsync("/api/account/team/invitations", new { email = ownerB.Email, role = "admin" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, invited.StatusCode);
        }
        using var accepted = await platform.Gateway.PostAsJsonAsync("/api/team/invitations/accept",
            new { token = await InvitationTokenAsync(ownerB.Email), password = "correct horse battery" });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var accessTokenA = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        var inA = new Customer(platform.Gateway, accessTokenA, ownerB.Email);

        // Acting on A: A's service, A's team; B's service, although this login owns B, is not there, and B's changes neither.
        Assert.Equal(a.ServiceId, (await inA.GetJsonAsync($"/api/services/{a.ServiceId}")).GetProperty("serviceId").GetGuid());
        Assert.Equal("admin", (await inA.GetJsonAsync("/api/account/team")).GetProperty("yourRole").GetString());
        Assert.Equal(a.CustomerId, (await inA.GetJsonAsync("/api/me")).GetProperty("accountId").GetGuid());
        foreach (var path in new[] { $"/api/services/{b.ServiceId}", $"/api/orders/{b.OrderId}", $"/api/services/{b.ServiceId}/cancellation" })
        {
            using var read = await inA.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        }
        using (var cancel = await inA.PostAsync($"/api/services/{b.ServiceId}/cancellation", new { }))
        {
            Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        }
        Assert.DoesNotContain((await inA.GetJsonAsync("/api/services")).GetProperty("items").EnumerateArray(), i => i.GetProperty("serviceId").GetGuid() == b.ServiceId);
        // An owner's power in B lends nothing in A: the one owner of A stays, and an admin may not hand A on.
        using (var grab = await inA.PostAsync("/api/account/team/ownership", new { memberId = Guid.NewGuid(), password = "correct horse battery" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, grab.StatusCode);
        }

        // A key made while acting on A acts on A only; the switch takes an access token, never a key.
        using var created = await inA.PostAsync("/api/api-keys");
        var apiKeyA = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("apiKey").GetString()!;
        var keyA = new Customer(platform.Gateway, apiKeyA, ownerB.Email);
        using (var keyRead = await keyA.GetAsync($"/api/services/{b.ServiceId}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, keyRead.StatusCode);
        }
        using (var keySwitch = await platform.Gateway.PostAsJsonAsync("/api/auth/switch", new { accessToken = apiKeyA, accountId = b.CustomerId }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, keySwitch.StatusCode);
        }
        using var switched = await platform.Gateway.PostAsJsonAsync("/api/auth/switch", new { accessToken = accessTokenA, accountId = b.CustomerId });
        Assert.Equal(HttpStatusCode.OK, switched.StatusCode);
        var inB = new Customer(platform.Gateway, (await switched.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!, ownerB.Email);
        Assert.Equal(b.ServiceId, (await inB.GetJsonAsync($"/api/services/{b.ServiceId}")).GetProperty("serviceId").GetGuid());
        using (var other = await inB.GetAsync($"/api/services/{a.ServiceId}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        }
        Assert.Equal(2, (await inB.GetJsonAsync("/api/account/memberships")).GetArrayLength());

        // A removes the membership: A's token and key stop at the next request; B's token goes on.
        var login = (await inA.GetJsonAsync("/api/me")).GetProperty("id").GetGuid();
        using (var removed = await ownerA.DeleteAsync($"/api/account/team/members/{login}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }
        using var byToken = await inA.GetAsync($"/api/services/{a.ServiceId}");
        using var byKey = await keyA.GetAsync($"/api/services/{a.ServiceId}");
        Assert.Equal(HttpStatusCode.Unauthorized, byToken.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, byKey.StatusCode);
        Assert.Equal(b.ServiceId, (await inB.GetJsonAsync($"/api/services/{b.ServiceId}")).GetProperty("serviceId").GetGuid());
        Assert.Equal(1, (await inB.GetJsonAsync("/api/account/memberships")).GetArrayLength());
    }

    [Fact]
    public async Task Handing_the_account_over_counts_at_the_next_request_and_moves_billing_notices_to_the_new_owner()
    {
        var (owner, ids) = await OwnerWithAnOrderAsync();
        // Billing has the account (the first month invoiced) before the hand-over.
        await owner.WaitForAsync("/api/invoices", i => i.GetProperty("total").GetInt32() > 0, TimeSpan.FromMinutes(2));
        var admin = await InviteAsync(owner, "admin");
        var newOwner = new Customer(platform.Gateway, admin.Token, admin.Email);
        var newOwnerId = (await newOwner.GetJsonAsync("/api/me")).GetProperty("id").GetGuid();
        // The old owner's API key has been used (and, before memberships, would have been cached by the gateway for 30 s).
        Assert.Equal("owner", (await owner.GetJsonAsync("/api/account/team")).GetProperty("yourRole").GetString());

        using (var handed = await owner.PostAsync("/api/account/team/ownership", new { memberId = newOwnerId, password = "correct horse battery" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, handed.StatusCode);
        }
        Assert.Equal("admin", (await owner.GetJsonAsync("/api/account/team")).GetProperty("yourRole").GetString());
        Assert.Equal("owner", (await newOwner.GetJsonAsync("/api/account/team")).GetProperty("yourRole").GetString());
        using (var back = await owner.PostAsync("/api/account/team/ownership", new { memberId = ids.CustomerId, password = "correct horse battery" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, back.StatusCode);
        }

        // Billing mails the account's notices to the new owner now (no billing e-mail was set in the profile).
        await using var db = new Npgsql.NpgsqlConnection(await DatabaseAsync());
        await db.OpenAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string? noticeAddress;
        do
        {
            await using var read = new Npgsql.NpgsqlCommand("SELECT email FROM billing.billing_accounts WHERE customer_id = @customer", db);
            read.Parameters.AddWithValue("customer", ids.CustomerId);
            noticeAddress = (string?)await read.ExecuteScalarAsync();
            if (noticeAddress == admin.Email) break;
            await Task.Delay(300);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Equal(admin.Email, noticeAddress);
    }

    /// <summary>The platform's database: its own resource with containers, the native server's connection string (Database=promta) without.</summary>
    private async Task<string> DatabaseAsync()
    {
        try
        {
            return await platform.ConnectionStringAsync("promta");
        }
        catch (ArgumentException)
        {
            return await platform.ConnectionStringAsync("postgres");
        }
    }

    private async Task<(Customer Owner, KnownIds Ids)> OwnerWithAnOrderAsync()
    {
        var email = $"team-{Guid.NewGuid():N}@example.test";
        using var signup = await platform.Gateway.PostAsJsonAsync("/api/customers", new { email, name = "Team Owner", password = "correct horse battery" });
        Assert.Equal(HttpStatusCode.Created, signup.StatusCode);
        var created = await signup.Content.ReadFromJsonAsync<JsonElement>();
        var owner = new Customer(platform.Gateway, created.GetProperty("apiKey").GetString()!, email);
        var (orderId, serviceId, _) = await owner.PlaceCardOrderAsync();
        return (owner, new KnownIds(created.GetProperty("id").GetGuid(), orderId, serviceId));
    }

    /// <summary>The owner invites a new address in <paramref name="role"/>; it accepts from the mailed link and logs in.</summary>
    private async Task<(string Email, string Token)> InviteAsync(Customer owner, string role)
    {
        var email = $"member-{Guid.NewGuid():N}@example.test";
        using (var invited = await owner.PostAsync("/api/account/team/invitations", new { email, role }))
        {
            Assert.Equal(HttpStatusCode.Accepted, invited.StatusCode);
        }
        var token = await InvitationTokenAsync(email);
        using var accepted = await platform.Gateway.PostAsJsonAsync("/api/team/invitations/accept", new { token, name = role + " member", password = "member password 1" });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        return (email, (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!);
    }

    private async Task<string> InvitationTokenAsync(string to)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var mail = platform.AccountMail.Messages()
                .Where(m => m.Contains($"X-Rcpt-Args: <{to}>", StringComparison.Ordinal))
                .Select(m => MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(m))))
                .FirstOrDefault(m => m.Subject?.StartsWith("Join ", StringComparison.Ordinal) == true);
            var match = mail is null ? Match.Empty : Regex.Match(mail.TextBody ?? "", @"/team/join#token=([A-Za-z0-9_-]+)");
            if (match.Success) return match.Groups[1].Value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no invitation mail to {to}");
            await Task.Delay(300);
        }
    }

    private async Task<HttpStatusCode> SendAsync(Variant variant, string token)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = variant.Create();
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await platform.Gateway.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < 30)
            {
                // The gateway's per-credential limit doing its job; wait as a client should.
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
                continue;
            }
            return response.StatusCode;
        }
    }
}
