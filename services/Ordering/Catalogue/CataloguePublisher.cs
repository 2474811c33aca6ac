using Microsoft.Extensions.Options;
using ProMTA.Contracts.Ordering;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;

namespace ProMTA.Ordering.Catalogue;

public sealed class CatalogueOptions
{
    public const string Section = "Catalogue";

    /// <summary>How often the catalogue is compared with what was last published (a price edited in the database goes out within this).</summary>
    public TimeSpan PublishInterval { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// Publishes every product that is new or changed since it was last published (ProductPublished through the outbox,
/// in the transaction that records the fingerprint), so Billing always prices plan changes with the catalogue's
/// own numbers. Replicas agree through the row locks: the second one finds the fingerprints already up to date.
/// </summary>
public sealed partial class CataloguePublisher(Database db, MigrationState migrations, IOptions<CatalogueOptions> options, TimeProvider time,
    ILogger<CataloguePublisher> log) : PeriodicJob(migrations, time, log)
{
    private readonly TimeProvider clock = time;
    private readonly ILogger logger = log;

    protected override TimeSpan Interval => options.Value.PublishInterval;

    public override async Task RunOnceAsync(CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        var published = await PublishAsync(work, CatalogueRepository.ChangedSql, clock.GetUtcNow());
        await work.CommitAsync(ct);
        if (published > 0) LogPublished(logger, published);
    }

    /// <summary>Publishes the products <paramref name="selectSql"/> locks and records their fingerprints; the count published.</summary>
    public static async Task<int> PublishAsync(UnitOfWork work, string selectSql, DateTimeOffset now)
    {
        var products = await CatalogueRepository.LockAsync(work, selectSql);
        foreach (var product in products)
        {
            await work.PublishAsync(new ProductPublished
            {
                ProductId = product.Id, Name = product.Name, MonthlyPriceMinor = product.MonthlyPriceMinor, Currency = product.Currency,
                DedicatedIps = product.DedicatedIps, SortOrder = product.SortOrder, ExtraIpMonthlyPriceMinor = product.ExtraIpPriceMinor, PublishedAt = now,
            });
            await CatalogueRepository.MarkPublishedAsync(work, product.Id, product.Fingerprint);
        }
        return products.Count;
    }

    [LoggerMessage(LogLevel.Information, "Published {Count} catalogue products")]
    private static partial void LogPublished(ILogger log, int count);
}
