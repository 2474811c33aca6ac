namespace ProMTA.Delivery.Inbound;

/// <summary>
/// The "Inbound" section: the MX of hosted domains. Production: <see cref="DedicatedIpPort"/> 25 (every dedicated IP's
/// port 25, where mta1.&lt;domain&gt; points) and/or <see cref="Address"/> 0.0.0.0 with <see cref="Port"/> 25. Off when
/// neither port is set.
/// </summary>
public sealed class InboundOptions
{
    /// <summary>A fixed listening address (with <see cref="Port"/>); local runs and tests use 127.0.0.1.</summary>
    public string Address { get; set; } = "127.0.0.1";
    /// <summary>The fixed listener's port; 0 = no fixed listener.</summary>
    public int Port { get; set; }
    /// <summary>
    /// Also listen on this port of every dedicated IP a hosted domain's MX points at (found in the database, refreshed
    /// every <see cref="RefreshInterval"/>): port 25 in production; locally the port the fake ISPs' MX use, so our own
    /// outbound reaches mta1.&lt;domain&gt; through PowerDNS like any ISP's MX. 0 = off.
    /// </summary>
    public int DedicatedIpPort { get; set; }
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>The name in the greeting, the Received header and the generated certificate.</summary>
    public string Hostname { get; set; } = "localhost";
    /// <summary>Reports and replies are small; advertised in SIZE and enforced while reading DATA.</summary>
    public int MaxMessageSize { get; set; } = 10 * 1024 * 1024;
    public int MaxRecipients { get; set; } = 100;
    public int MaxConnectionsPerIp { get; set; } = 10;
    /// <summary>More Received headers than this is a mail loop (RFC 5321 6.3): refused with 554 5.4.6.</summary>
    public int MaxHops { get; set; } = 30;
    /// <summary>A PKCS#12 file for STARTTLS; without one a self-signed certificate is generated at start.</summary>
    public string? CertificatePath { get; set; }
    public string? CertificatePassword { get; set; }
}
