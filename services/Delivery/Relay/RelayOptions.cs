namespace ProMTA.Delivery.Relay;

public sealed class RelayOptions
{
    /// <summary>Where customers submit mail (API.md: localhost:2525).</summary>
    public string Address { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 2525;
    /// <summary>The name in the greeting and EHLO answer, and the subject of the generated certificate.</summary>
    public string Hostname { get; set; } = "localhost";
    public int MaxMessageSize { get; set; } = 50 * 1024 * 1024;
    /// <summary>
    /// How long a session may send nothing (between commands, or in the middle of DATA) before 421 4.4.2 closes it.
    /// RFC 5321 4.5.3.2.7 asks for at least 5 minutes; a session that keeps sending is never cut.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>Protocol errors (syntax, bad sequence, failed AUTH) in one session before 421 4.7.0 closes it.</summary>
    public int MaxErrors { get; set; } = 10;
    /// <summary>Recipients per message; the next RCPT gets 452 4.5.3 and the client sends the rest in another transaction.</summary>
    public int MaxRecipients { get; set; } = 1000;
    /// <summary>Sessions open at once from one client IP; one more is answered 421 4.7.0 at connect.</summary>
    public int MaxConnectionsPerClient { get; set; } = 50;
    /// <summary>Total size of a message's header section (552 5.3.4 past it).</summary>
    public int MaxHeaderBytes { get; set; } = 256 * 1024;
    /// <summary>Header fields per message (554 5.6.0 past it).</summary>
    public int MaxHeaderCount { get; set; } = 1000;
    /// <summary>Received: headers a message may carry; more means a mail loop (554 5.4.6).</summary>
    public int MaxReceivedHeaders { get; set; } = 100;
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
