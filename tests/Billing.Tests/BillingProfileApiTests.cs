using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Billing.Tests;

/// <summary>GET/PUT /api/account/billing-profile on Billing's real API and database.</summary>
public sealed class BillingProfileApiTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    public static object GermanBusiness => new
    {
        company = "Müller Versand GmbH", addressLine1 = "Hauptstraße 5", postalCode = "10115", city = "Berlin", country = "de",
        vatId = "DE 123 456 789", billingEmail = "rechnung@mueller.example",
    };

    [Fact]
    public async Task A_customer_saves_a_billing_profile_and_sees_which_vat_applies()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var customerId = Guid.NewGuid();
        using var customer = stack.ClientFor(customerId);
        Assert.Equal(HttpStatusCode.NotFound, (await customer.GetAsync("/api/account/billing-profile")).StatusCode);

        using var saved = await customer.PutAsJsonAsync("/api/account/billing-profile", GermanBusiness);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var profile = await stack.GetJsonAsync(customer, "/api/account/billing-profile");
        Assert.Equal(("Müller Versand GmbH", "DE", "DE123456789", "ReverseCharge", 0m),
            (profile.GetProperty("company").GetString(), profile.GetProperty("country").GetString(), profile.GetProperty("vatId").GetString(),
             profile.GetProperty("vatTreatment").GetString(), profile.GetProperty("vatRate").GetDecimal()));

        // Without the VAT id the German rate applies; a Dutch business pays the Dutch rate.
        using var noVatId = await customer.PutAsJsonAsync("/api/account/billing-profile", new
        {
            company = "Müller Versand GmbH", addressLine1 = "Hauptstraße 5", postalCode = "10115", city = "Berlin", country = "DE",
            billingEmail = "rechnung@mueller.example",
        });
        Assert.Equal(("Standard", 19m), await Vat(noVatId));

        using var stranger = stack.ClientFor(Guid.NewGuid());
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync("/api/account/billing-profile")).StatusCode);
    }

    [Fact]
    public async Task Bad_profiles_are_refused_naming_each_field_and_change_nothing()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        using var customer = stack.ClientFor(Guid.NewGuid());
        using var response = await customer.PutAsJsonAsync("/api/account/billing-profile", new
        {
            company = "", addressLine1 = "Keizersgracht 1", postalCode = "1015 AA", city = "Amsterdam", country = "Netherlands",
            vatId = "NL12", billingEmail = "not-an-address",
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["billingEmail", "company", "country"], errors.EnumerateObject().Select(e => e.Name).Order());

        using var badVatId = await customer.PutAsJsonAsync("/api/account/billing-profile", new
        {
            company = "Acme B.V.", addressLine1 = "Keizersgracht 1", postalCode = "1015 AA", city = "Amsterdam", country = "NL",
            vatId = "NL12345678", billingEmail = "ap@acme.example",
        });
        Assert.Equal(HttpStatusCode.BadRequest, badVatId.StatusCode);
        var problem = await badVatId.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("not a well-formed VAT id of NL", problem.GetProperty("errors").GetProperty("vatId")[0].GetString());
        Assert.Equal(0L, await stack.ScalarAsync<long>("SELECT count(*) FROM billing_profiles"));
    }

    private static async Task<(string?, decimal)> Vat(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("vatTreatment").GetString(), body.GetProperty("vatRate").GetDecimal());
    }
}
