using Dapper;
using ProMTA.Ordering.Domains;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Domains;

namespace ProMTA.Ordering.Data;

/// <summary>A claim's status: pending until delegation is seen, then verified; released for good.</summary>
public static class DomainClaimStatus
{
    public const string Pending = nameof(Pending);
    public const string Verified = nameof(Verified);
    public const string Released = nameof(Released);
}

public sealed record DomainClaim
{
    public string Domain { get; init; } = "";
    public Guid ServiceId { get; init; }
    public Guid CustomerId { get; init; }
    public Guid OrderId { get; init; }
    public string Status { get; init; } = "";
    public DateTimeOffset ClaimedAt { get; init; }
    public DateTimeOffset? VerifiedAt { get; init; }
    public string? DkimSelector { get; init; }
    public string DmarcPolicy { get; init; } = "none";
}

/// <summary>
/// The registry of sending-domain claims (Ordering owns it: orders are placed here, synchronously, and nobody else may
/// hold a domain a placed order claims). Every claim is written by <see cref="TryClaimAsync"/> under one transaction-scoped
/// advisory lock, so two concurrent orders for "shop.example" and "example" cannot both pass the ancestor/descendant
/// check; the partial unique index on the live domain backs the exact case.
/// </summary>
public static class DomainClaims
{
    private const string Columns = "domain, service_id, customer_id, order_id, status, claimed_at, verified_at, dkim_selector, dmarc_policy";
    private const string LockSql = "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.domain_claims'))";
    private const string OverlappingSql = $"""
        SELECT {Columns} FROM domain_claims
        WHERE released_at IS NULL AND (domain = @Domain OR domain = ANY(@Ancestors) OR right(domain, @SuffixLength) = @Suffix)
        """;
    private const string InsertSql = """
        INSERT INTO domain_claims (domain, service_id, customer_id, order_id, status, claimed_at)
        VALUES (@Domain, @ServiceId, @CustomerId, @OrderId, 'Pending', @Now)
        """;
    private const string VerifySql = """
        UPDATE domain_claims SET status = 'Verified', verified_at = COALESCE(verified_at, @At)
        WHERE service_id = @ServiceId AND domain = @Domain AND released_at IS NULL
        """;
    private const string ReleaseOneSql = $"""
        UPDATE domain_claims SET status = 'Released', released_at = @At, release_reason = @Reason
        WHERE service_id = @ServiceId AND domain = @Domain AND released_at IS NULL
        RETURNING {Columns}
        """;
    private const string SelectorSql = """
        UPDATE domain_claims SET dkim_selector = @Selector WHERE service_id = @ServiceId AND domain = @Domain AND released_at IS NULL
        """;
    private const string DmarcSql = $"""
        UPDATE domain_claims SET dmarc_policy = @Policy WHERE service_id = @ServiceId AND domain = @Domain AND released_at IS NULL
        RETURNING {Columns}
        """;
    private const string ReleaseForServiceSql = $"""
        UPDATE domain_claims SET status = 'Released', released_at = @At, release_reason = @Reason
        WHERE service_id = @ServiceId AND released_at IS NULL
        RETURNING {Columns}
        """;
    private const string ClaimExpiredSql = $"""
        UPDATE domain_claims SET status = 'Released', released_at = @Now, release_reason = 'expired'
        WHERE id IN (SELECT id FROM domain_claims WHERE status = 'Pending' AND claimed_at <= @Before
                     ORDER BY claimed_at LIMIT @Limit FOR UPDATE SKIP LOCKED)
        RETURNING {Columns}
        """;
    private const string ForServiceSql = $"""
        SELECT {Columns} FROM domain_claims WHERE service_id = @ServiceId AND released_at IS NULL ORDER BY claimed_at, domain
        """;

    /// <summary>
    /// Claims <paramref name="domain"/> (normalized, passed <see cref="DomainRules"/>) for the service inside the caller's
    /// transaction; null when claimed, else why not (nothing written). Another service's claim on the same name, on a
    /// name below it or on a name above it refuses the claim, except a verified claim of the same customer above it:
    /// a customer may add subdomains of a domain it proved is its own.
    /// </summary>
    public static async Task<DomainRefusal?> TryClaimAsync(UnitOfWork work, string domain, Guid serviceId, Guid customerId, Guid orderId, DateTimeOffset now)
    {
        await LockAsync(work);
        var overlapping = await work.QueryAsync<DomainClaim>(OverlappingSql,
            new { Domain = domain, Ancestors = DomainName.Ancestors(domain).ToArray(), Suffix = "." + domain, SuffixLength = domain.Length + 1 });
        foreach (var claim in overlapping.OrderBy(c => c.Domain.Length))
        {
            if (claim.Domain == domain)
            {
                return DomainRefusal.Conflict(claim.ServiceId == serviceId
                    ? $"{domain} is already a sending domain of this service."
                    : $"{domain} is already claimed by another service. A domain belongs to the service it is delegated to; if it is yours, remove it there first.");
            }
            if (DomainName.IsSelfOrBelow(claim.Domain, domain))
            {
                return DomainRefusal.Conflict($"{domain} contains {claim.Domain}, which another service has claimed.");
            }
            if (claim.CustomerId != customerId || claim.Status != DomainClaimStatus.Verified)
            {
                return DomainRefusal.Conflict(claim.CustomerId == customerId
                    ? $"{domain} is below {claim.Domain}, which is not verified yet; delegate {claim.Domain} to our nameservers first."
                    : $"{domain} is below {claim.Domain}, which another customer has claimed.");
            }
        }
        await work.ExecuteAsync(InsertSql, new { Domain = domain, ServiceId = serviceId, CustomerId = customerId, OrderId = orderId, Now = now });
        return null;
    }

    /// <summary>Serializes claim writes until the caller's transaction ends (taking it again in the same transaction is a no-op).</summary>
    public static Task LockAsync(UnitOfWork work) => work.ExecuteAsync(LockSql, null);

    public static Task<int> VerifyAsync(UnitOfWork work, Guid serviceId, string domain, DateTimeOffset at) =>
        work.ExecuteAsync(VerifySql, new { ServiceId = serviceId, Domain = domain, At = at });

    /// <summary>Releases one live claim of the service; null when it holds no such claim.</summary>
    public static async Task<DomainClaim?> ReleaseAsync(UnitOfWork work, Guid serviceId, string domain, string reason, DateTimeOffset at) =>
        await work.QuerySingleOrDefaultAsync<DomainClaim>(ReleaseOneSql, new { ServiceId = serviceId, Domain = domain, Reason = reason, At = at });

    /// <summary>Sets the DMARC policy of a live claim; null when the service holds no such claim.</summary>
    public static Task<DomainClaim?> SetDmarcPolicyAsync(UnitOfWork work, Guid serviceId, string domain, string policy) =>
        work.QuerySingleOrDefaultAsync<DomainClaim>(DmarcSql, new { ServiceId = serviceId, Domain = domain, Policy = policy });

    public static Task SetSelectorAsync(UnitOfWork work, Guid serviceId, string domain, string selector) =>
        work.ExecuteAsync(SelectorSql, new { ServiceId = serviceId, Domain = domain, Selector = selector });

    /// <summary>Releases every live claim of the service; the claims released (none when already released).</summary>
    public static async Task<IReadOnlyList<DomainClaim>> ReleaseForServiceAsync(UnitOfWork work, Guid serviceId, string reason, DateTimeOffset at) =>
        (await work.QueryAsync<DomainClaim>(ReleaseForServiceSql, new { ServiceId = serviceId, Reason = reason, At = at })).ToList();

    /// <summary>Releases pending claims made before <paramref name="before"/> (SKIP LOCKED: replicas share the work).</summary>
    public static async Task<IReadOnlyList<DomainClaim>> ReleaseExpiredAsync(UnitOfWork work, DateTimeOffset before, DateTimeOffset now, int limit) =>
        (await work.QueryAsync<DomainClaim>(ClaimExpiredSql, new { Before = before, Now = now, Limit = limit })).ToList();

    public static async Task<IReadOnlyList<DomainClaim>> ForServiceAsync(UnitOfWork work, Guid serviceId) =>
        (await work.QueryAsync<DomainClaim>(ForServiceSql, new { ServiceId = serviceId })).ToList();

    public static async Task<IReadOnlyList<DomainClaim>> ForServiceAsync(Database db, Guid serviceId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<DomainClaim>(new CommandDefinition(ForServiceSql, new { ServiceId = serviceId }, cancellationToken: ct))).ToList();
    }
}
