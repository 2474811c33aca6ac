using MassTransit;
using ProMTA.Billing.Catalogue;
using ProMTA.Contracts.Ordering;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Consumers;

/// <summary>Ordering owns the catalogue; Billing keeps the newest copy of each product to price plan changes.</summary>
public sealed class ProductPublishedConsumer(Database db) : IConsumer<ProductPublished>
{
    public async Task Consume(ConsumeContext<ProductPublished> context)
    {
        await using var work = await db.BeginConsumeAsync<ProductPublishedConsumer>(context);
        if (work is null) return;
        await BilledProducts.SaveAsync(work, context.Message);
        await work.CommitAsync(context.CancellationToken);
    }
}
