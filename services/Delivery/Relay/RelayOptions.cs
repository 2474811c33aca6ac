namespace ProMTA.Delivery.Relay;

public sealed class RelayOptions
{
    /// <summary>Where customers submit mail (API.md: localhost:2525).</summary>
    public string Address { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 2525;
    /// <summary>The name in the greeting and EHLO answer, and the subject of the generated certificate.</summary>
    public string Hostname { get; set; } = "localhost";
    public int MaxMessageSize { get; set; } = 50 * 1024 * 1024;
    /// <summary>AUTH before STARTTLS: only for local runs and tests, never in production.</summary>
    public bool AllowPlainAuth { get; set; }
    /// <summary>A PKCS#12 file for STARTTLS; without one a self-signed certificate is generated at start.</summary>
    public string? CertificatePath { get; set; }
    public string? CertificatePassword { get; set; }
    /// <summary>
    /// Benchmarks only (tools/scripts/relay-benchmark.sh): client IPv4 address -> service id whose sessions are taken as
    /// authenticated for that service without AUTH, because load injectors like Postfix's smtp-source cannot AUTH.
    /// Empty by default; the service refuses to start with it outside the Development environment.
    /// </summary>
    public Dictionary<string, Guid> TrustedClients { get; set; } = [];
}
