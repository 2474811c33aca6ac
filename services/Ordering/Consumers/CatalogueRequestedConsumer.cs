using MassTransit;
using ProMTA.Contracts.Billing;
using ProMTA.Ordering.Catalogue;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Consumers;

/// <summary>Billing has no copy of the catalogue: every product is published again, whatever was published before.</summary>
public sealed class CatalogueRequestedConsumer(Database db, TimeProvider time) : IConsumer<CatalogueRequested>
{
    public async Task Consume(ConsumeContext<CatalogueRequested> context)
    {
        await using var work = await db.BeginConsumeAsync<CatalogueRequestedConsumer>(context);
        if (work is null) return;
        await CataloguePublisher.PublishAsync(work, CatalogueRepository.AllSql, time.GetUtcNow());
        await work.CommitAsync(context.CancellationToken);
    }
}
