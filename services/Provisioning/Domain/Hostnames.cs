namespace ProMTA.Provisioning.Domain;

/// <summary>One hostname per dedicated IP (mta1, mta2, ...) under the service's own name, for forward-confirmed rDNS.</summary>
public static class Hostnames
{
    public static string ForIp(Guid serviceId, int index, string hostZone) => $"mta{index + 1}.s{serviceId:N}.{hostZone.Trim('.')}";
}
