using MassTransit;
using ProMTA.Contracts.Ordering;
using ProMTA.Provisioning.Data;
using ProMTA.Provisioning.Setup;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Provisioning.Consumers;

/// <summary>The reviewer accepted the special requirements: set the service up by the deadline they chose.</summary>
public sealed class OrderReviewAcceptedConsumer(Database db, ServerSetup setup) : IConsumer<OrderReviewAccepted>
{
    public async Task Consume(ConsumeContext<OrderReviewAccepted> context)
    {
        var accepted = context.Message;
        await using var work = await db.BeginConsumeAsync<OrderReviewAcceptedConsumer>(context);
        if (work is null) return;
        // The payment may still be on its way here: throwing retries the message until it has arrived.
        var pending = await SetupRepository.FindForUpdateAsync(work, accepted.ServiceId)
            ?? throw new InvalidOperationException($"No paid setup for service {accepted.ServiceId} yet");
        if (pending.Status == "AwaitingReview")
        {
            await setup.RunAsync(work, accepted.OrderId, accepted.ServiceId, pending.DedicatedIps, accepted.SetupDeadline, context.CancellationToken);
        }
        await work.CommitAsync(context.CancellationToken);
    }
}
