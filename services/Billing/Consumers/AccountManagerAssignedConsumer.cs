using MassTransit;
using ProMTA.Billing.Data;
using ProMTA.Contracts.Ordering;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Consumers;

/// <summary>Keeps Billing's copy of who serves each customer, for the account-manager scope of the staff routes.</summary>
public sealed class AccountManagerAssignedConsumer(Database db) : IConsumer<AccountManagerAssigned>
{
    public async Task Consume(ConsumeContext<AccountManagerAssigned> context)
    {
        var assigned = context.Message;
        await using var work = await db.BeginConsumeAsync<AccountManagerAssignedConsumer>(context);
        if (work is null) return;
        await AccountManagerRepository.AssignAsync(work, assigned.CustomerId, assigned.AccountManagerId, assigned.AssignedAt, assigned.AccountManagerEmail);
        await work.CommitAsync(context.CancellationToken);
    }
}
