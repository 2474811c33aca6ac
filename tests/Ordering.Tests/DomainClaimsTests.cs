using ProMTA.Ordering.Data;
using ProMTA.ServiceDefaults.Data;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Ordering.Tests;

/// <summary>Issue 14: the claim registry against a real PostgreSQL, with Ordering's own migrations.</summary>
public sealed class DomainClaimsTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Another_services_domain_its_parents_and_its_children_are_refused_with_409_and_nothing_is_written()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var db = host.Database;
        var (victim, attacker) = (Guid.NewGuid(), Guid.NewGuid());
        Assert.Null(await ClaimAsync(db, "shop.victim.test", Guid.NewGuid(), victim));

        foreach (var taken in new[] { "shop.victim.test", "victim.test", "mail.shop.victim.test", "a.b.shop.victim.test" })
        {
            var refusal = await ClaimAsync(db, taken, Guid.NewGuid(), attacker);
            Assert.NotNull(refusal);
            Assert.Equal(409, refusal.Status);
        }
        // Even the victim's own second service cannot take the same domain, or a subdomain of one not verified yet.
        Assert.Equal(409, (await ClaimAsync(db, "shop.victim.test", Guid.NewGuid(), victim))?.Status);
        Assert.Equal(409, (await ClaimAsync(db, "eu.shop.victim.test", Guid.NewGuid(), victim))?.Status);
        Assert.Equal(1, await CountAsync(db));
        // A sibling and an unrelated name are free.
        Assert.Null(await ClaimAsync(db, "blog.victim.test", Guid.NewGuid(), attacker));
        Assert.Null(await ClaimAsync(db, "victim-shop.test", Guid.NewGuid(), attacker));
    }

    [Fact]
    public async Task The_same_customer_may_add_a_subdomain_of_its_verified_domain_and_a_released_domain_is_free_again()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var db = host.Database;
        var (customer, other, service) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        Assert.Null(await ClaimAsync(db, "brand.test", service, customer));
        await db.WriteAsync(work => DomainClaims.VerifyAsync(work, service, "brand.test", Now));

        Assert.Null(await ClaimAsync(db, "news.brand.test", Guid.NewGuid(), customer));
        Assert.Equal(409, (await ClaimAsync(db, "promo.brand.test", Guid.NewGuid(), other))?.Status);

        var released = await db.WriteAsync(work => DomainClaims.ReleaseForServiceAsync(work, service, "service-ended", Now));
        Assert.Equal(["brand.test"], released.Select(c => c.Domain));
        Assert.Empty(await db.WriteAsync(work => DomainClaims.ReleaseForServiceAsync(work, service, "service-ended", Now)));
        // brand.test is free again; its subdomain news.brand.test stays the customer's, a sibling is anyone's.
        Assert.Null(await ClaimAsync(db, "other.brand.test", Guid.NewGuid(), other));
        Assert.Equal(409, (await ClaimAsync(db, "brand.test", Guid.NewGuid(), other))?.Status);
    }

    [Fact]
    public async Task Concurrent_claims_of_a_parent_and_its_child_by_two_customers_never_both_succeed()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var db = host.Database;
        for (var round = 0; round < 10; round++)
        {
            var parent = $"r{round}x{Guid.NewGuid():N}"[..16] + ".test";
            var results = await Task.WhenAll(
                ClaimAsync(db, parent, Guid.NewGuid(), Guid.NewGuid()),
                ClaimAsync(db, "mail." + parent, Guid.NewGuid(), Guid.NewGuid()),
                ClaimAsync(db, parent, Guid.NewGuid(), Guid.NewGuid()));
            Assert.Equal(1, results.Count(r => r is null));
        }
    }

    [Fact]
    public async Task A_pending_claim_expires_after_its_lifetime_and_a_verified_one_does_not()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var db = host.Database;
        var (pending, verified) = (Guid.NewGuid(), Guid.NewGuid());
        Assert.Null(await ClaimAsync(db, "slow.test", pending, Guid.NewGuid()));
        Assert.Null(await ClaimAsync(db, "quick.test", verified, Guid.NewGuid()));
        await db.WriteAsync(work => DomainClaims.VerifyAsync(work, verified, "quick.test", Now));

        Assert.Empty(await db.WriteAsync(work => DomainClaims.ReleaseExpiredAsync(work, Now - TimeSpan.FromDays(14), Now, 10)));
        var later = Now + TimeSpan.FromDays(14);
        var expired = await db.WriteAsync(work => DomainClaims.ReleaseExpiredAsync(work, later - TimeSpan.FromDays(14), later, 10));
        Assert.Equal(["slow.test"], expired.Select(c => c.Domain));
        Assert.Null(await ClaimAsync(db, "slow.test", Guid.NewGuid(), Guid.NewGuid()));
    }

    private static Task<Domains.DomainRefusal?> ClaimAsync(Database db, string domain, Guid serviceId, Guid customerId) =>
        db.WriteAsync(work => DomainClaims.TryClaimAsync(work, domain, serviceId, customerId, Guid.NewGuid(), Now));

    private static async Task<long> CountAsync(Database db)
    {
        await using var connection = await db.OpenAsync();
        return await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, "SELECT count(*) FROM domain_claims");
    }
}
