namespace ProMTA.Provisioning;

public sealed class ProvisioningOptions
{
    /// <summary>The zone our servers' hostnames live in (the A records of forward-confirmed reverse DNS).</summary>
    public string HostZone { get; set; } = "promta.local";

    /// <summary>The business calendar's time zone: working days and holidays are its dates.</summary>
    public string TimeZone { get; set; } = "Europe/Amsterdam";

    /// <summary>Days of the business calendar that are not working days (public holidays), e.g. Provisioning:Holidays:0=2026-12-25.</summary>
    public List<DateOnly> Holidays { get; set; } = [];

    /// <summary>How long a released IP stays out of the pool, so a new customer never inherits the old one's reputation or mail.</summary>
    public TimeSpan IpQuarantine { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Datacenter calls per step before a setup counts as failed; the waits between them double from <see cref="RetryDelay"/>.</summary>
    public int Attempts { get; set; } = 5;
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>No wait between datacenter calls is longer, however many attempts are configured.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Setups due within this window are listed for operators beside the overdue ones.</summary>
    public TimeSpan DueSoonWindow { get; set; } = TimeSpan.FromHours(4);

    /// <summary>How often quarantined IPs are returned to the pool and the overdue gauges refreshed.</summary>
    public TimeSpan HousekeepingInterval { get; set; } = TimeSpan.FromMinutes(1);
}
