using Microsoft.Extensions.DependencyInjection.Extensions;
using ProMTA.Delivery.Outbound.Claiming;
using ProMTA.Delivery.Outbound.Dispatch;
using ProMTA.Delivery.Outbound.Egress;
using ProMTA.Delivery.Outbound.Outcome;

namespace ProMTA.Delivery.Outbound;

/// <summary>The outbound path's stages, in the order a message passes them (docs/delivery.md, "The outbound path").</summary>
internal static class OutboundStages
{
    public static IServiceCollection AddOutboundStages(this IServiceCollection services)
    {
        services.AddSingleton<RouteLookup>();
        services.AddSingleton<DestinationBatches>();
        services.TryAddSingleton<ClaimWakeUp>();
        services.AddSingleton<ClaimLoop>();
        services.AddSingleton<EgressPaths>();
        services.AddSingleton<ReadyQueue>();
        services.AddSingleton<SessionSlots>();
        services.AddSingleton<MessagePayloads>();
        services.AddSingleton<SessionOpener>();
        services.AddSingleton<MessageTransaction>();
        services.AddSingleton<Dispatcher>();
        services.AddSingleton<RecipientOutcomes>();
        services.AddHostedService<DeliveryWorker>();
        return services;
    }
}
