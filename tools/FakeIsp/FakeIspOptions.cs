using ProMTA.FakeIsp.Limits;

namespace ProMTA.FakeIsp;

public sealed class FakeIspOptions
{
    /// <summary>The SMTP port every fake MX listens on, each on its own address.</summary>
    public int SmtpPort { get; set; } = 25;
    public List<FakeProviderOptions> Providers { get; set; } = [];
    /// <summary>Where to publish the providers' MX and A records; nothing is published when ApiUrl is empty.</summary>
    public string? PowerDnsApiUrl { get; set; }
    public string? PowerDnsApiKey { get; set; }
    public string PowerDnsServerId { get; set; } = "localhost";
    /// <summary>The DNS server (ip:port) asked for the MX of senders' domains when reports go back; locally the PowerDNS.</summary>
    public string? DnsResolver { get; set; }
    /// <summary>The port reports are delivered to on the sender domain's MX: 25 on the internet, a local run's MX port.</summary>
    public int ReportMxPort { get; set; } = 25;
    /// <summary>How long after accepting a message its bounce or complaint goes back.</summary>
    public TimeSpan ReportDelay { get; set; } = TimeSpan.FromSeconds(3);
    /// <summary>Applied to every provider that sets none of its own (<see cref="FakeProviderOptions.AsyncBounceRate"/>).</summary>
    public double AsyncBounceRate { get; set; }
    /// <summary>Applied to every provider that sets none of its own (<see cref="FakeProviderOptions.ComplaintRate"/>).</summary>
    public double ComplaintRate { get; set; }
    /// <summary>Applied to every provider whose own <see cref="FakeProviderOptions.ComplaintBlock"/> has no rate.</summary>
    public ComplaintBlockOptions ComplaintBlock { get; set; } = new();
    /// <summary>
    /// Senders whose mail draws other complaint and bounce shares than the provider's: a dirty list next to a clean one at
    /// the same ISP. The first profile that matches a message applies.
    /// </summary>
    public List<SenderProfile> Senders { get; set; } = [];
}

/// <summary>
/// One sender as an ISP tells senders apart: by the envelope sender's domain (with VERP every message of a tenant comes
/// from its own domain) and/or the connecting IP. Unset shares keep the provider's.
/// </summary>
public sealed class SenderProfile
{
    /// <summary>The envelope sender's domain or a parent of it ("dirty.test" matches b+1-ab@dirty.test); empty = any.</summary>
    public string? Domain { get; set; }
    /// <summary>The client address; empty = any.</summary>
    public string? SourceIp { get; set; }
    public double? ComplaintRate { get; set; }
    public double? AsyncBounceRate { get; set; }

    public bool Matches(string senderDomain, string clientIp) =>
        (string.IsNullOrEmpty(Domain) || senderDomain.Equals(Domain, StringComparison.OrdinalIgnoreCase)
            || senderDomain.EndsWith("." + Domain, StringComparison.OrdinalIgnoreCase))
        && (string.IsNullOrEmpty(SourceIp) || SourceIp == clientIp)
        && (!string.IsNullOrEmpty(Domain) || !string.IsNullOrEmpty(SourceIp));
}

/// <summary>One receiving ISP: its domain, its MX address and how it treats what it receives.</summary>
public sealed class FakeProviderOptions
{
    public string Name { get; set; } = "";
    public string Domain { get; set; } = "";
    public string Address { get; set; } = "127.0.0.1";
    /// <summary>Share of messages accepted at DATA; the rest are refused as spam (550 5.7.1).</summary>
    public double AcceptanceRate { get; set; } = 1.0;
    /// <summary>
    /// Recipients accepted per minute and sending IP, paced (<see cref="Limits.HiddenRateLimit"/>); above it the MX answers
    /// <see cref="ThrottleReply"/>. 0 = no limit. Hidden from the sender.
    /// </summary>
    public int RateLimitPerMinute { get; set; }
    /// <summary>The burst the limit lets through after a pause, in seconds of <see cref="RateLimitPerMinute"/> (at least one message).</summary>
    public double RateLimitBurstSeconds { get; set; } = 2;
    public string ThrottleReply { get; set; } = "421 4.7.0 Try again later";
    /// <summary>Share of recipients that do not exist (550 5.1.1); local parts starting with "unknown" never exist.</summary>
    public double UnknownUserRate { get; set; }
    /// <summary>
    /// Share of recipients accepted at RCPT that bounce a few seconds later with a DSN to the envelope sender (mailbox
    /// full, forwarding broken: what a filtering front end finds out after the 250). Local parts starting with
    /// "asyncbounce" always do. 0 by default: tests that count deliveries see no extra mail.
    /// </summary>
    public double AsyncBounceRate { get; set; }
    /// <summary>Share of delivered messages whose recipient complains: an ARF report to abuse@ of the sender's domain. Local parts starting with "complain" always do.</summary>
    public double ComplaintRate { get; set; }
    /// <summary>Blocks a sending IP whose complaint share at this ISP gets too high (<see cref="Limits.ComplaintBlock"/>); off by default.</summary>
    public ComplaintBlockOptions ComplaintBlock { get; set; } = new();
    /// <summary>How many first attempts per recipient are answered 451 4.7.1 (greylisting).</summary>
    public int GreylistAttempts { get; set; }
    /// <summary>How long it takes to answer the end of DATA (real MXs scan content for tens of milliseconds).</summary>
    public TimeSpan DataReplyDelay { get; set; }

    /// <summary>The ISP profiles of a local run: the throttling replies the real ones send.</summary>
    public static List<FakeProviderOptions> Defaults() =>
    [
        new() { Name = "Gmail", Domain = "gmail.test", Address = "127.0.0.2", RateLimitPerMinute = 600, UnknownUserRate = 0.02,
            ThrottleReply = "421 4.7.28 [127.0.0.1] Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited." },
        new() { Name = "Yahoo", Domain = "yahoo.test", Address = "127.0.0.3", RateLimitPerMinute = 300, UnknownUserRate = 0.02, AcceptanceRate = 0.98,
            ThrottleReply = "421 4.7.0 [TSS04] Messages from 127.0.0.1 temporarily deferred due to unexpected volume or user complaints" },
        new() { Name = "Outlook", Domain = "outlook.test", Address = "127.0.0.4", RateLimitPerMinute = 400, UnknownUserRate = 0.02,
            ThrottleReply = "451 4.7.650 The mail server [127.0.0.1] has been temporarily rate limited due to IP reputation." },
        new() { Name = "Example", Domain = "example.test", Address = "127.0.0.5" },
    ];
}
