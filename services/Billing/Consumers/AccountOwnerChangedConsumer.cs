using MassTransit;
using ProMTA.Billing.Data;
using ProMTA.Contracts.Ordering;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Consumers;

/// <summary>
/// Billing's notices (a failed charge, a suspension) go to whoever answers for the account now: the new owner's address
/// replaces the one kept from the first order. A billing address of the billing profile still comes first.
/// </summary>
public sealed class AccountOwnerChangedConsumer(Database db) : IConsumer<AccountOwnerChanged>
{
    public async Task Consume(ConsumeContext<AccountOwnerChanged> context)
    {
        var changed = context.Message;
        await using var work = await db.BeginConsumeAsync<AccountOwnerChangedConsumer>(context);
        if (work is null) return;
        // No billing account yet (nothing ordered): the first order will carry the owner's address.
        await NotificationRepository.SetEmailAsync(work, changed.CustomerId, changed.OwnerEmail);
        await work.CommitAsync(context.CancellationToken);
    }
}
