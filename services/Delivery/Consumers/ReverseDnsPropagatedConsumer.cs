using MassTransit;
using ProMTA.Contracts.Delivery;
using ProMTA.Contracts.Dns;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Consumers;

/// <summary>
/// Reverse DNS answers, so mail from the dedicated IPs will be accepted: the service goes live. Seen again after a plan
/// change, the relay sends from the new set of IPs and only the new ones start warming up.
/// </summary>
public sealed partial class ReverseDnsPropagatedConsumer(
    Database db, TimeProvider time, Outbound.ThrottleStateSync throttleState, ILogger<ReverseDnsPropagatedConsumer> log)
    : IConsumer<ReverseDnsPropagated>
{
    public async Task Consume(ConsumeContext<ReverseDnsPropagated> context)
    {
        var propagated = context.Message;
        await using var work = await db.BeginConsumeAsync<ReverseDnsPropagatedConsumer>(context);
        if (work is null) return;
        var username = RelayUsername.For(propagated.ServiceId);
        var now = time.GetUtcNow();
        string[] ips = [.. propagated.Entries.Select(e => e.Ip)];
        string[] hostnames = [.. propagated.Entries.Select(e => e.Hostname)];
        await RelayAccounts.CreateAsync(work, propagated.ServiceId, propagated.OrderId, username, ips, hostnames, now);
        // New dedicated IPs have no reputation yet: they follow the warm-up schedule from now on.
        await ThrottleState.AddWarmUpsAsync(work, propagated.ServiceId, ips, now);
        await work.PublishAsync(new ServiceActivated
        {
            OrderId = propagated.OrderId,
            ServiceId = propagated.ServiceId,
            SmtpUsername = username,
            ActivatedAt = now,
        });
        await work.CommitAsync(context.CancellationToken);
        foreach (var ip in ips) throttleState.BeginWarmUp(ip, now);
        LogActivated(propagated.ServiceId, username);
    }

    [LoggerMessage(LogLevel.Information, "Relay active for {ServiceId} as {Username}")]
    private partial void LogActivated(Guid serviceId, string username);
}
