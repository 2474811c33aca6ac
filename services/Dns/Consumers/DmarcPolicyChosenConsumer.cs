using MassTransit;
using ProMTA.Contracts.Ordering;
using ProMTA.Dns.Data;
using ProMTA.Dns.Publishing;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Consumers;

/// <summary>
/// The customer's DMARC policy for the domain goes into its _dmarc record now (a pending domain gets it once verified);
/// the drift job compares what DNS serves with it from then on and puts it back if someone edits it.
/// </summary>
public sealed class DmarcPolicyChosenConsumer(Database db, SendingDomainZone zone) : IConsumer<DmarcPolicyChosen>
{
    public async Task Consume(ConsumeContext<DmarcPolicyChosen> context)
    {
        var m = context.Message;
        if (m.Policy is not ("none" or "quarantine" or "reject")) return;
        await using var work = await db.BeginConsumeAsync<DmarcPolicyChosenConsumer>(context);
        if (work is null) return;
        if (await SendingDomains.SetDmarcPolicyAsync(work, m.ServiceId, m.Domain, m.Policy)) await zone.ApplyAsync(work, m.ServiceId, context.CancellationToken);
        await work.CommitAsync(context.CancellationToken);
    }
}
