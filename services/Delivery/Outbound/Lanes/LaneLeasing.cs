namespace ProMTA.Delivery.Outbound.Lanes;

/// <summary>Registers the lane leases that let Delivery replicas share the ISPs (section "Delivery:Lanes").</summary>
internal static class LaneLeasing
{
    public static IServiceCollection AddLaneLeasing(this IServiceCollection services)
    {
        services.AddOptions<LaneLeaseOptions>().BindConfiguration("Delivery:Lanes")
            .Validate(o => o.RenewInterval > TimeSpan.Zero && o.LeaseTtl > 2 * o.RenewInterval,
                "Delivery:Lanes:LeaseTtl must be more than twice Delivery:Lanes:RenewInterval, which must be positive")
            .Validate(o => o.HandOverAfter >= TimeSpan.Zero, "Delivery:Lanes:HandOverAfter must not be negative")
            .Validate(o => o.WarmUpBlock > 0, "Delivery:Lanes:WarmUpBlock must be positive")
            .ValidateOnStart();
        services.AddSingleton<LaneOwnership>();
        return services;
    }
}
