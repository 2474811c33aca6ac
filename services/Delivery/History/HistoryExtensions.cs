namespace ProMTA.Delivery.History;

public static class HistoryExtensions
{
    /// <summary>Delivery history for charts (section "DeliveryHistory"): the API's limits, the buckets' retention and the fold of new counts.</summary>
    public static IHostApplicationBuilder AddDeliveryHistory(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DeliveryHistoryOptions>().BindConfiguration("DeliveryHistory")
            .Validate(o => o.MaxBuckets > 0 && o.MaxBuckets <= 10_000, "DeliveryHistory:MaxBuckets must be between 1 and 10000")
            .Validate(o => o.MinuteRetention > TimeSpan.Zero, "DeliveryHistory:MinuteRetention must be positive")
            .Validate(o => o.CompactionInterval > TimeSpan.Zero, "DeliveryHistory:CompactionInterval must be positive")
            .ValidateOnStart();
        builder.Services.AddHostedService<DeliveryHistoryRetention>();
        builder.Services.AddHostedService<HistoryCompaction>();
        return builder;
    }
}
