using System.Reflection;
using MassTransit;

namespace Microsoft.Extensions.Hosting;

public static class PlatformServiceExtensions
{
    /// <summary>
    /// What every ProMTA service behind the gateway needs: its own schema (migrations, outbox, inbox), the bus with
    /// every consumer of <paramref name="assembly"/> on queues named after <paramref name="schema"/>, and the caller
    /// identity the gateway signs.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformService(
        this IHostApplicationBuilder builder, string schema, Assembly assembly)
    {
        builder.AddServiceDatabase(schema, assembly);
        builder.AddMessaging(schema, bus => bus.AddConsumers(assembly));
        builder.AddGatewayCallerAuthentication();
        return builder;
    }
}
