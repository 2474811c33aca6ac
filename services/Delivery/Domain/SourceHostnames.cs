namespace ProMTA.Delivery.Domain;

/// <summary>
/// The name each dedicated IP answers to in reverse DNS (its PTR, published by Dns and forward-confirmed). Receivers
/// compare the EHLO name, and read the Received and Reporting-MTA names, against it: <c>localhost</c> or a name that
/// is not the IP's PTR is a spam signal.
/// </summary>
public static class SourceHostnames
{
    /// <summary>The PTR name of <paramref name="sourceIp"/> among the service's pairs, or <paramref name="fallback"/> when it has none.</summary>
    public static string For(string? sourceIp, IReadOnlyList<string> ips, IReadOnlyList<string> hostnames, string fallback)
    {
        if (sourceIp is null) return First(hostnames, fallback);
        for (var i = 0; i < ips.Count && i < hostnames.Count; i++)
        {
            if (ips[i] == sourceIp && !string.IsNullOrEmpty(hostnames[i])) return hostnames[i].TrimEnd('.');
        }
        return fallback;
    }

    /// <summary>The service's own name (its first IP's PTR) where one name speaks for the whole service.</summary>
    public static string First(IReadOnlyList<string> hostnames, string fallback) =>
        hostnames.FirstOrDefault(h => !string.IsNullOrEmpty(h))?.TrimEnd('.') ?? fallback;
}
