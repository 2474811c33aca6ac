using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Security;
using ProMTA.TestKit;
using ProMTA.Ordering.Accounts;
using Xunit;

namespace ProMTA.Ordering.Tests;

/// <summary>Issue 14, section 4: the staff account configured at start-up, against Ordering's real schema.</summary>
public sealed class StaffBootstrapTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task The_bootstrap_never_promotes_a_customer_who_signed_up_with_the_staff_email()
    {
        await using var service = await ServiceDatabaseHost.StartAsync(postgres, typeof(OrderRepository).Assembly);
        var customers = new CustomerRepository(service.Database);
        var customer = new CustomerRow(Guid.NewGuid(), "Operator@promta.test", "Mallory", PasswordHasher.Hash("mallory's own password"), Roles.Customer);
        var verification = new NewAccountLink(Guid.NewGuid(), customer.Id, LinkPurpose.EmailVerification, [1, 2, 3], customer.Email, DateTimeOffset.UtcNow.AddDays(1));
        Assert.True(await customers.CreateAsync(customer, ApiKey.Hash(ApiKey.Create()), "pmk_abcdef", verification, DateTimeOffset.UtcNow, default));

        await BootstrapAsync(service, "operator@promta.test", "the operator's password");

        var after = await customers.FindByIdAsync(customer.Id, default);
        Assert.Equal(Roles.Customer, after!.Role);
        Assert.True(PasswordHasher.Verify("mallory's own password", after.PasswordHash));
    }

    [Fact]
    public async Task The_bootstrap_creates_the_staff_account_and_later_sets_its_configured_password()
    {
        await using var service = await ServiceDatabaseHost.StartAsync(postgres, typeof(OrderRepository).Assembly);
        var customers = new CustomerRepository(service.Database);

        await BootstrapAsync(service, "operator@promta.test", "first password here");
        await BootstrapAsync(service, "operator@promta.test", "second password here");

        var staff = await customers.FindByEmailAsync("operator@promta.test", default);
        Assert.Equal(Roles.Operator, staff!.Role);
        Assert.True(PasswordHasher.Verify("second password here", staff.PasswordHash));
    }

    private static Task BootstrapAsync(ServiceDatabaseHost service, string email, string password) =>
        new StaffBootstrap(service.Database, Options.Create(new StaffBootstrapOptions { Email = email, Password = password }),
            TimeProvider.System, NullLogger<StaffBootstrap>.Instance).StartAsync(default);
}
