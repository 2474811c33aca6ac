using MassTransit;
using ProMTA.Contracts.Billing;
using ProMTA.Provisioning.Data;
using ProMTA.Provisioning.Setup;
using ProMTA.ServiceDefaults.Calendar;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Provisioning.Consumers;

/// <summary>
/// The first paid month sets the service up within one working day (rule 2); with special requirements it
/// waits for the account manager's review, whose deadline then applies.
/// </summary>
public sealed class PaymentSucceededConsumer(Database db, ServerSetup setup, WorkingDays workingDays) : IConsumer<PaymentSucceeded>
{
    public async Task Consume(ConsumeContext<PaymentSucceeded> context)
    {
        var paid = context.Message;
        if (paid.PeriodIndex != 0) return; // renewals keep the server that exists
        await using var work = await db.BeginConsumeAsync<PaymentSucceededConsumer>(context);
        if (work is null) return;

        var row = new SetupRow(paid.ServiceId, paid.OrderId, paid.DedicatedIps, paid.PaidAt, paid.RequiresReview ? "AwaitingReview" : "Done");
        if (paid.RequiresReview)
        {
            await SetupRepository.AddAsync(work, row, deadline: null);
        }
        else
        {
            var deadline = workingDays.Add(paid.PaidAt, 1);
            await SetupRepository.AddAsync(work, row, deadline);
            await setup.RunAsync(work, paid.OrderId, paid.ServiceId, paid.DedicatedIps, deadline, context.CancellationToken);
        }
        await work.CommitAsync(context.CancellationToken);
    }
}
