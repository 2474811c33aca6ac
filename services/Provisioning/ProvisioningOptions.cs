namespace ProMTA.Provisioning;

public sealed class ProvisioningOptions
{
    /// <summary>The zone our servers' hostnames live in (the A records of forward-confirmed reverse DNS).</summary>
    public string HostZone { get; set; } = "promta.local";

    /// <summary>Days of the business calendar that are not working days.</summary>
    public List<DateOnly> Holidays { get; set; } = [];
}
