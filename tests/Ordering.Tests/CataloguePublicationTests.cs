using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ProMTA.Ordering.Catalogue;
using ProMTA.Ordering.Data;
using ProMTA.ServiceDefaults.Data;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Ordering.Tests;

/// <summary>
/// Ordering owns the catalogue's prices and publishes them (issue 17): each product once, again when it changes or
/// when Billing asks, on real PostgreSQL with Ordering's migrations. And the service's product and IPs follow
/// Billing's and Provisioning's plan-change events, a late event never undoing a newer one.
/// </summary>
public sealed class CataloguePublicationTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 20, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Each_product_is_published_once_then_again_when_its_price_changes_or_when_billing_asks()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var db = host.Database;
        var publisher = new CataloguePublisher(db, new MigrationState(), Options.Create(new CatalogueOptions()), new FakeTimeProvider(Now),
            NullLogger<CataloguePublisher>.Instance);
        await using var connection = await db.OpenAsync();

        await publisher.RunOnceAsync(default);
        Assert.Equal(["ProMTA Business:39900:4", "ProMTA Enterprise:119900:16", "ProMTA Starter:14900:1"], await PublishedAsync(connection));
        await publisher.RunOnceAsync(default);
        Assert.Equal(3, (await PublishedAsync(connection)).Count);

        await connection.ExecuteAsync("UPDATE products SET monthly_price_minor = 42900 WHERE id = 'promta-business'");
        await publisher.RunOnceAsync(default);
        Assert.Equal(["ProMTA Business:42900:4"], (await PublishedAsync(connection)).Except(["ProMTA Business:39900:4", "ProMTA Enterprise:119900:16", "ProMTA Starter:14900:1"]));
        Assert.Equal(4, (await PublishedAsync(connection)).Count);

        // Billing asks (CatalogueRequested): every product again.
        await db.WriteAsync(work => CataloguePublisher.PublishAsync(work, CatalogueRepository.AllSql, Now));
        Assert.Equal(7, (await PublishedAsync(connection)).Count);
    }

    [Fact]
    public async Task The_service_shows_the_product_and_ips_of_the_newest_plan_change()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var db = host.Database;
        var (customer, order, service) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync("""
            INSERT INTO customers (id, email, name, password_hash, created_at) VALUES (@Customer, @Email, 'Plan Test', 'x', now());
            INSERT INTO orders (id, customer_id, service_id, product_id, idempotency_key, request_hash, status, status_rank, created_at)
            VALUES (@Order, @Customer, @Service, 'promta-starter', 'k', '\x00', 'Active', 6, now());
            INSERT INTO services (id, customer_id, order_id, product_id, status, ips, created_at)
            VALUES (@Service, @Customer, @Order, 'promta-starter', 'Active', '{127.0.1.1}', now());
            """, new { Customer = customer, Order = order, Service = service, Email = $"{customer:N}@example.test" });

        await db.WriteAsync(work => ServiceRepository.SetProductAsync(work, service, "promta-enterprise", Now.AddMinutes(2)));
        await db.WriteAsync(work => ServiceRepository.SetProductAsync(work, service, "promta-business", Now.AddMinutes(1))); // late
        await db.WriteAsync(work => ServiceRepository.SetIpsAsync(work, service, ["127.0.1.1", "127.0.1.2"], Now.AddMinutes(3)));
        await db.WriteAsync(work => ServiceRepository.SetIpsAsync(work, service, ["127.0.1.1"], Now.AddMinutes(2))); // late

        var shown = await connection.QuerySingleAsync<(string ProductId, string[] Ips)>("SELECT product_id, ips FROM services WHERE id = @Service", new { Service = service });
        Assert.Equal("promta-enterprise", shown.ProductId);
        Assert.Equal(["127.0.1.1", "127.0.1.2"], shown.Ips);
    }

    private static async Task<List<string>> PublishedAsync(Npgsql.NpgsqlConnection connection) =>
        [.. (await connection.QueryAsync<string>("""
            SELECT (body->>'name') || ':' || (body->>'monthlyPriceMinor') || ':' || (body->>'dedicatedIps') FROM outbox_messages
            WHERE message_type LIKE '%ProductPublished'
            """)).Order()];
}
