using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Billing.Tests;

/// <summary>The staff customer page's billing part: invoices and whether bank transfer applies (rule 8), scoped to the account manager.</summary>
public sealed class StaffBillingApiTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Staff_see_a_customer_s_invoices_and_that_bank_transfer_needs_a_second_service_and_other_managers_get_404()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var paid = await stack.PayFirstMonthAsync("pm_card_visa");
        var manager = Guid.NewGuid();
        await stack.ScalarAsync<int>("INSERT INTO account_managers (customer_id, account_manager_id, assigned_at) VALUES (@CustomerId, @Manager, now())",
            new { paid.CustomerId, Manager = manager });

        using var mine = stack.ClientFor(manager, Roles.AccountManager);
        var view = await stack.GetJsonAsync(mine, $"/api/admin/customers/{paid.CustomerId}/billing");
        Assert.Equal(1, view.GetProperty("runningServices").GetInt64());
        Assert.False(view.GetProperty("bankTransferPossible").GetBoolean());
        Assert.False(view.GetProperty("bankTransferApproved").GetBoolean());
        var invoice = Assert.Single(view.GetProperty("invoices").EnumerateArray());
        Assert.Equal(paid.InvoiceNumber, invoice.GetProperty("number").GetInt64());
        Assert.Equal("Paid", invoice.GetProperty("status").GetString());

        using var operatorClient = stack.ClientFor(Guid.NewGuid(), Roles.Operator);
        Assert.Single((await stack.GetJsonAsync(operatorClient, $"/api/admin/customers/{paid.CustomerId}/billing")).GetProperty("invoices").EnumerateArray());
        using var other = stack.ClientFor(Guid.NewGuid(), Roles.AccountManager);
        using (var hidden = await other.GetAsync($"/api/admin/customers/{paid.CustomerId}/billing"))
        {
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        }
        using var customer = stack.ClientFor(paid.CustomerId);
        using var refused = await customer.GetAsync($"/api/admin/customers/{paid.CustomerId}/billing");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
