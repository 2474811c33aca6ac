using System.Net;
using DnsClient;
using DnsClient.Protocol;
using MailKit.Net.Smtp;
using MimeKit;

namespace ProMTA.FakeIsp;

/// <summary>One report on its way back: to whom, from which reverse path ("" = the null path of bounces), when.</summary>
public sealed record OutgoingReport(string Kind, string MailFrom, string To, MimeMessage Message, DateTimeOffset DueAt);

/// <summary>
/// Sends the fake ISPs' bounces and complaints the way real ISPs do: some seconds after the message was accepted, to the
/// MX of the recipient domain as found in DNS (the local PowerDNS), with a few retries while that MX does not answer.
/// </summary>
public sealed partial class ReportSender(FakeIspOptions options, ILogger<ReportSender> log) : IAsyncDisposable
{
    private const int Attempts = 5;
    private readonly CancellationTokenSource stop = new();
    private readonly LookupClient? dns = string.IsNullOrEmpty(options.DnsResolver) ? null
        : new LookupClient(new LookupClientOptions(IPEndPoint.Parse(options.DnsResolver)) { UseCache = false, Timeout = TimeSpan.FromSeconds(5) });
    private readonly List<Task> sending = [];
    private long sent, failed;

    /// <summary>How long after accepting a message its reports go back (FakeIsp:ReportDelay).</summary>
    public TimeSpan Delay => options.ReportDelay;

    public long Sent => Interlocked.Read(ref sent);
    public long Failed => Interlocked.Read(ref failed);

    public void Enqueue(OutgoingReport report)
    {
        lock (sending)
        {
            sending.RemoveAll(t => t.IsCompleted);
            sending.Add(SendAsync(report, stop.Token));
        }
    }

    private async Task SendAsync(OutgoingReport report, CancellationToken ct)
    {
        try
        {
            var wait = report.DueAt - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await DeliverAsync(report, ct);
                    Interlocked.Increment(ref sent);
                    LogSent(report.Kind, report.To);
                    return;
                }
                catch (Exception ex) when (ex is not OperationCanceledException && attempt < Attempts)
                {
                    LogRetry(ex, report.Kind, report.To, attempt);
                    await Task.Delay(TimeSpan.FromSeconds(2 * attempt), ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // stopping: a fake ISP's reports are not kept across restarts
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref failed);
            LogFailed(ex, report.Kind, report.To);
        }
    }

    private async Task DeliverAsync(OutgoingReport report, CancellationToken ct)
    {
        var to = MailboxAddress.Parse(report.To);
        var endpoint = await ResolveAsync(to.Domain, ct);
        using var client = new SmtpClient { LocalDomain = report.Message.From.Mailboxes.First().Domain, CheckCertificateRevocation = false };
        // The receiving side's certificate is its own business: a report goes over STARTTLS when offered, verified or not.
        client.ServerCertificateValidationCallback = (_, _, _, _) => true;
        await client.ConnectAsync(endpoint.Address.ToString(), endpoint.Port, MailKit.Security.SecureSocketOptions.StartTlsWhenAvailable, ct);
        var sender = report.MailFrom.Length > 0 ? MailboxAddress.Parse(report.MailFrom) : new MailboxAddress("", "");
        await client.SendAsync(report.Message, sender, [to], ct);
        await client.DisconnectAsync(true, ct);
    }

    /// <summary>The most preferred MX of <paramref name="domain"/>, else its own A record (RFC 5321 5.1).</summary>
    private async Task<IPEndPoint> ResolveAsync(string domain, CancellationToken ct)
    {
        if (dns is null) throw new InvalidOperationException("FakeIsp:DnsResolver is not set: reports cannot find the sender's MX");
        var mx = await dns.QueryAsync(domain, QueryType.MX, cancellationToken: ct);
        var hosts = mx.Answers.MxRecords().OrderBy(r => r.Preference).Select(r => r.Exchange.Value.TrimEnd('.')).DefaultIfEmpty(domain);
        foreach (var host in hosts)
        {
            var a = await dns.QueryAsync(host, QueryType.A, cancellationToken: ct);
            if (a.Answers.ARecords().FirstOrDefault() is { } record) return new IPEndPoint(record.Address, options.ReportMxPort);
        }
        throw new InvalidOperationException($"no MX address found for {domain}");
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        Task[] pending;
        lock (sending) pending = [.. sending];
        await Task.WhenAll(pending);
        stop.Dispose();
    }

    [LoggerMessage(LogLevel.Information, "Fake ISP sent a {Kind} report to {To}")]
    private partial void LogSent(string kind, string to);

    [LoggerMessage(LogLevel.Warning, "Fake ISP could not send a {Kind} report to {To} (attempt {Attempt}); retrying")]
    private partial void LogRetry(Exception ex, string kind, string to, int attempt);

    [LoggerMessage(LogLevel.Warning, "Fake ISP gave up sending a {Kind} report to {To}")]
    private partial void LogFailed(Exception ex, string kind, string to);
}
