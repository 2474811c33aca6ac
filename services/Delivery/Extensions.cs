using MassTransit;

namespace ProMTA.Delivery;

public static class Extensions
{
    public const string Schema = "delivery";

    public static IHostApplicationBuilder AddDelivery(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase(Schema, typeof(Extensions).Assembly);
        builder.AddMessaging(Schema, bus => bus.AddConsumers(typeof(Extensions).Assembly));
        return builder;
    }
}
