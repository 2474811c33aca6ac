namespace ProMTA.Delivery.Domain;

public static class RelayUsername
{
    /// <summary>Derived from the service id: unique, stable, and reveals nothing about the customer.</summary>
    public static string For(Guid serviceId) => $"svc-{serviceId:N}";
}
