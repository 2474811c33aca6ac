using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace ProMTA.Delivery.Smtp;

/// <summary>One listener's protocol settings; the relay maps RelayOptions onto these, an inbound MX would map its own.</summary>
public sealed record SmtpListenerOptions
{
    public required IPEndPoint EndPoint { get; init; }
    /// <summary>The name in the greeting, EHLO answer and 421 replies.</summary>
    public required string Hostname { get; init; }
    /// <summary>For STARTTLS; null: STARTTLS is not offered.</summary>
    public X509Certificate2? Certificate { get; init; }
    public long MaxMessageSize { get; init; } = 50 * 1024 * 1024;
    /// <summary>RFC 5321 4.5.3.2.7: at least 5 minutes without a byte from the client before the session is closed with 421 4.4.2.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Protocol errors (syntax, bad sequence, failed AUTH) before 421 4.7.0 and the end of the session.</summary>
    public int MaxErrors { get; init; } = 10;
    public int MaxRecipients { get; init; } = 1000;
    public int MaxConnectionsPerClient { get; init; } = 50;
    public int MaxHeaderBytes { get; init; } = 256 * 1024;
    public int MaxHeaderCount { get; init; } = 1000;
    /// <summary>More Received: headers than this means a mail loop (RFC 5321 6.3).</summary>
    public int MaxReceivedHeaders { get; init; } = 100;
    /// <summary>AUTH before STARTTLS (local runs and tests only).</summary>
    public bool AllowAuthWithoutTls { get; init; }
}
