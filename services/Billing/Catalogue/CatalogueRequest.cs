using Microsoft.Extensions.Options;
using ProMTA.Contracts.Billing;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;

namespace ProMTA.Billing.Catalogue;

public sealed class CatalogueRequestOptions
{
    /// <summary>How often Billing asks again while it knows no product (Ordering down, or its answer not arrived yet).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Asks Ordering for the catalogue (CatalogueRequested) while Billing's copy is empty. Ordering also publishes every
/// new or changed product on its own; this covers a fresh installation, where that first publication can go out
/// before Billing's queue is bound and is then lost.
/// </summary>
public sealed class CatalogueRequest(Database db, MigrationState migrations, IOptions<CatalogueRequestOptions> options, TimeProvider time,
    ILogger<CatalogueRequest> log) : PeriodicJob(migrations, time, log)
{
    private readonly TimeProvider clock = time;

    protected override TimeSpan Interval => options.Value.Interval;

    public override async Task RunOnceAsync(CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        if (await BilledProducts.AnyAsync(work)) return;
        await work.PublishAsync(new CatalogueRequested { RequestedAt = clock.GetUtcNow() });
        await work.CommitAsync(ct);
    }
}
