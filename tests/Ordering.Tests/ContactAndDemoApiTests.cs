using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Ordering.Tests;

/// <summary>The contact form reaches staff like a demo request, and staff act on demo requests (rule 4), on Ordering's API.</summary>
public sealed class ContactAndDemoApiTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_contact_message_is_validated_per_field_stored_and_listed_for_staff_until_answered()
    {
        await using var stack = await OrderingStack.StartAsync(postgres, new Dictionary<string, string?>());
        using var visitor = stack.Anonymous();
        using (var bad = await visitor.PostAsJsonAsync("/api/contact", new { name = "", email = "nope", topic = "lunch", message = " " }))
        {
            Assert.Equal(["email", "message", "name", "topic"], (await FieldsAsync(bad)).Order());
        }
        using (var tooLong = await visitor.PostAsJsonAsync("/api/contact", new { name = "Ann", email = "ann@shop.example", topic = "sales", message = new string('x', 4001) }))
        {
            Assert.Equal(["message"], await FieldsAsync(tooLong));
        }
        var sent = await stack.PostJsonAsync(visitor, "/api/contact",
            new { name = "Ann Buyer", email = "ann@shop.example", topic = "no-card", message = "We pay by bank transfer only.\nCan we order two servers?" });
        Assert.Contains("ann@shop.example", sent.GetProperty("message").GetString());

        using var customer = stack.ClientFor(Guid.NewGuid());
        using (var refused = await customer.GetAsync("/api/admin/contact-messages"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
        using var staff = stack.ClientFor(Guid.NewGuid(), Roles.AccountManager);
        var listed = Assert.Single((await staff.GetFromJsonAsync<JsonElement>("/api/admin/contact-messages")).GetProperty("items").EnumerateArray());
        Assert.Equal("Received", listed.GetProperty("status").GetString());
        Assert.Equal("We pay by bank transfer only.\nCan we order two servers?", listed.GetProperty("message").GetString());

        using (var answered = await staff.PostAsync($"/api/admin/contact-messages/{listed.GetProperty("id").GetGuid()}/answered", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, answered.StatusCode);
        }
        using (var unknown = await staff.PostAsync($"/api/admin/contact-messages/{Guid.NewGuid()}/answered", null))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }
        var after = Assert.Single((await staff.GetFromJsonAsync<JsonElement>("/api/admin/contact-messages")).GetProperty("items").EnumerateArray());
        Assert.Equal("Answered", after.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Staff_schedule_a_demo_move_it_and_mark_it_done_after_which_it_no_longer_changes()
    {
        await using var stack = await OrderingStack.StartAsync(postgres, new Dictionary<string, string?>());
        using var visitor = stack.Anonymous();
        var id = (await stack.PostJsonAsync(visitor, "/api/demo-requests",
            new { name = "Bob Prospect", email = "bob@prospect.example", preferredTimes = new[] { "Monday 10:00 (Europe/Amsterdam)" } })).GetProperty("id").GetGuid();
        using var staff = stack.ClientFor(Guid.NewGuid(), Roles.AccountManager);
        using var customer = stack.ClientFor(Guid.NewGuid());

        using (var refused = await customer.PostAsJsonAsync($"/api/admin/demo-requests/{id}/schedule", new { at = DateTimeOffset.UtcNow.AddDays(2) }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
        using (var past = await staff.PostAsJsonAsync($"/api/admin/demo-requests/{id}/schedule", new { at = DateTimeOffset.UtcNow.AddDays(-1) }))
        {
            Assert.Equal(["at"], await FieldsAsync(past));
        }
        using (var missing = await staff.PostAsJsonAsync($"/api/admin/demo-requests/{id}/schedule", new { }))
        {
            Assert.Equal(["at"], await FieldsAsync(missing));
        }
        var at = DateTimeOffset.UtcNow.AddDays(2);
        var scheduled = await stack.PostJsonAsync(staff, $"/api/admin/demo-requests/{id}/schedule", new { at });
        Assert.Equal("Scheduled", scheduled.GetProperty("status").GetString());
        var moved = await stack.PostJsonAsync(staff, $"/api/admin/demo-requests/{id}/schedule", new { at = at.AddHours(3) });
        Assert.Equal(at.AddHours(3).ToUnixTimeSeconds(), moved.GetProperty("scheduledFor").GetDateTimeOffset().ToUnixTimeSeconds());

        using (var done = await staff.PostAsync($"/api/admin/demo-requests/{id}/done", null))
        {
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        }
        using (var again = await staff.PostAsJsonAsync($"/api/admin/demo-requests/{id}/schedule", new { at }))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }
        using (var unknown = await staff.PostAsync($"/api/admin/demo-requests/{Guid.NewGuid()}/done", null))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }
        var listed = Assert.Single((await staff.GetFromJsonAsync<JsonElement>("/api/admin/demo-requests")).GetProperty("items").EnumerateArray());
        Assert.Equal("Done", listed.GetProperty("status").GetString());
    }

    private static async Task<IReadOnlyList<string>> FieldsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name)];
    }
}
