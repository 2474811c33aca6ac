using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ProMTA.Delivery.Outbound.Smtp;

/// <summary>What the server offered in its EHLO reply.</summary>
internal sealed record SmtpCapabilities(bool Pipelining, bool EightBitMime, bool SmtpUtf8, bool StartTls, bool Size, long MaxSize)
{
    public static readonly SmtpCapabilities None = new(false, false, false, false, false, 0);

    public static SmtpCapabilities Parse(string ehloText)
    {
        var lines = ehloText.Split('\n').Skip(1).Select(l => l.Trim().ToUpperInvariant()).ToList();
        var size = lines.FirstOrDefault(l => l == "SIZE" || l.StartsWith("SIZE ", StringComparison.Ordinal))?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new SmtpCapabilities(lines.Contains("PIPELINING"), lines.Contains("8BITMIME"), lines.Contains("SMTPUTF8"), lines.Contains("STARTTLS"),
            size is not null, size is [_, var n] && long.TryParse(n, out var max) ? max : 0);
    }
}

/// <summary>
/// An outbound SMTP session (RFC 5321): greeting, EHLO (HELO when EHLO is refused), STARTTLS whenever offered (real
/// ISPs require it; opportunistic, so any certificate is accepted, RFC 7435), then transactions that write the stored
/// bytes themselves (<see cref="DotStuffing"/>), pipelined when the server offers PIPELINING (RFC 2920).
/// </summary>
internal sealed class SmtpSession : IAsyncDisposable
{
    private readonly Socket socket;
    private readonly TimeSpan timeout;
    private Stream stream;
    private SmtpReplyReader reader;

    private SmtpSession(Socket socket, TimeSpan timeout)
    {
        this.socket = socket;
        this.timeout = timeout;
        stream = new NetworkStream(socket, ownsSocket: true);
        reader = new SmtpReplyReader(stream);
    }

    public SmtpCapabilities Capabilities { get; private set; } = SmtpCapabilities.None;

    public bool IsEncrypted => stream is SslStream;

    /// <summary>False once the connection broke or the server said 421 (it closes after that).</summary>
    public bool IsConnected { get; private set; } = true;

    /// <summary>Greets on a connected socket; a refused greeting or EHLO throws <see cref="SmtpReplyException"/>.</summary>
    public static async Task<SmtpSession> OpenAsync(Socket socket, string serverName, string helo, TimeSpan timeout, CancellationToken ct)
    {
        var session = new SmtpSession(socket, timeout);
        try
        {
            await session.GreetAsync(serverName, helo, ct);
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    private async Task GreetAsync(string serverName, string helo, CancellationToken ct)
    {
        using var limit = Limit(ct);
        Expect(await reader.ReadAsync(limit.Token), 220);
        await HelloAsync(helo, limit.Token);
        if (!Capabilities.StartTls) return;
        var ready = await CommandAsync("STARTTLS", limit.Token);
        // A server that offers STARTTLS and then refuses it: opportunistic TLS goes on in plaintext (as Postfix does).
        if (ready.Code != 220) return;
        reader.Discard();
        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            EnabledSslProtocols = SslProtocols.None, // the platform's defaults (TLS 1.2 and 1.3)
        }, limit.Token);
        stream = tls;
        reader = new SmtpReplyReader(stream);
        // RFC 3207 4.2: forget what the server said before TLS and ask again.
        await HelloAsync(helo, limit.Token);
    }

    private async Task HelloAsync(string helo, CancellationToken ct)
    {
        var ehlo = await CommandAsync($"EHLO {helo}", ct);
        if (ehlo.Code == 250)
        {
            Capabilities = SmtpCapabilities.Parse(ehlo.Text);
            return;
        }
        if (ehlo.Code / 100 != 5) throw new SmtpReplyException(ehlo);
        Expect(await CommandAsync($"HELO {helo}", ct), 250);
        Capabilities = SmtpCapabilities.None;
    }

    /// <summary>Proves an idle session alive before a message rides on it.</summary>
    public async Task<bool> NoOpAsync(CancellationToken ct)
    {
        using var limit = Limit(ct);
        return await GuardAsync(async () => (await CommandAsync("NOOP", limit.Token)).Code == 250, ct);
    }

    /// <summary>
    /// One transaction: MAIL, a RCPT per recipient, DATA and the message, and the reply each recipient got (its RCPT
    /// refusal, or the final reply for the message, or why the transaction failed). A failed transaction is reset so the
    /// session can carry the next one.
    /// </summary>
    public async Task<ServerReply[]> SendAsync(string reversePath, IReadOnlyList<string> recipients, IReadOnlyList<ReadOnlyMemory<byte>> message,
        bool eightBit, CancellationToken ct)
    {
        var size = message.Sum(p => (long)p.Length);
        var replies = new ServerReply[recipients.Count];
        if (Capabilities.MaxSize > 0 && size > Capabilities.MaxSize)
            return Fill(replies, new ServerReply(552, $"5.3.4 Message size {size} exceeds the server's limit of {Capabilities.MaxSize}"));
        var international = !Ascii.IsValid(reversePath) || recipients.Any(r => !Ascii.IsValid(r));
        if (international && !Capabilities.SmtpUtf8)
            return Fill(replies, new ServerReply(553, "5.6.7 Non-ASCII address and the server does not offer SMTPUTF8"));
        var mail = new StringBuilder($"MAIL FROM:<{reversePath}>");
        if (Capabilities.Size) mail.Append(" SIZE=").Append(size);
        if (eightBit && Capabilities.EightBitMime) mail.Append(" BODY=8BITMIME");
        if (international) mail.Append(" SMTPUTF8");
        using var limit = Limit(ct);
        return await GuardAsync(() => TransactionAsync(mail.ToString(), recipients, message, replies, limit.Token), ct,
            lost => Fill(replies, lost, onlyEmpty: true));
    }

    private async Task<ServerReply[]> TransactionAsync(string mail, IReadOnlyList<string> recipients, IReadOnlyList<ReadOnlyMemory<byte>> message,
        ServerReply[] replies, CancellationToken ct)
    {
        ServerReply mailReply, data;
        var accepted = 0;
        if (Capabilities.Pipelining)
        {
            // RFC 2920: MAIL, every RCPT and DATA in one write; the replies come back in order.
            var batch = new StringBuilder(mail).Append("\r\n");
            foreach (var r in recipients) batch.Append("RCPT TO:<").Append(r).Append(">\r\n");
            batch.Append("DATA\r\n");
            await WriteAsync(batch.ToString(), ct);
            mailReply = await ReadAsync(ct);
            for (var i = 0; i < recipients.Count; i++)
            {
                var rcpt = await ReadAsync(ct);
                if (!mailReply.Positive) continue;
                if (rcpt.Positive) accepted++;
                else replies[i] = rcpt;
            }
            data = await ReadAsync(ct);
        }
        else
        {
            mailReply = await CommandAsync(mail, ct);
            if (!mailReply.Positive) return await ResetAsync(Fill(replies, mailReply), ct);
            for (var i = 0; i < recipients.Count; i++)
            {
                var rcpt = await CommandAsync($"RCPT TO:<{recipients[i]}>", ct);
                if (rcpt.Positive) accepted++;
                else replies[i] = rcpt;
            }
            if (accepted == 0) return await ResetAsync(replies, ct);
            data = await CommandAsync("DATA", ct);
        }
        if (data.Code == 354 && (!mailReply.Positive || accepted == 0))
        {
            // A server that said 354 with nobody to deliver to: end the empty message and forget the transaction.
            await WriteAsync(".", ct);
            await ReadAsync(ct);
        }
        if (!mailReply.Positive) return await ResetAsync(Fill(replies, mailReply), ct);
        if (accepted == 0) return await ResetAsync(replies, ct);
        if (data.Code != 354) return await ResetAsync(Fill(replies, data, onlyEmpty: true), ct);
        await DotStuffing.WriteAsync(stream, message, ct);
        return Fill(replies, await ReadAsync(ct), onlyEmpty: true);
    }

    private async Task<ServerReply[]> ResetAsync(ServerReply[] replies, CancellationToken ct)
    {
        if (IsConnected) await CommandAsync("RSET", ct);
        return replies;
    }

    public async Task QuitAsync()
    {
        if (!IsConnected) return;
        using var limit = Limit(CancellationToken.None);
        await GuardAsync(async () => await CommandAsync("QUIT", limit.Token), CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        IsConnected = false;
        await stream.DisposeAsync();
        socket.Dispose();
    }

    private async Task<ServerReply> CommandAsync(string command, CancellationToken ct)
    {
        await WriteAsync(command, ct);
        return await ReadAsync(ct);
    }

    private async Task WriteAsync(string commands, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(commands.EndsWith("\r\n", StringComparison.Ordinal) ? commands : commands + "\r\n");
        await stream.WriteAsync(bytes, ct);
        await stream.FlushAsync(ct);
    }

    private async Task<ServerReply> ReadAsync(CancellationToken ct)
    {
        var reply = await reader.ReadAsync(ct);
        // RFC 5321 3.8: after 421 the server closes; nothing more goes on this session.
        if (reply.Code == 421) IsConnected = false;
        return reply;
    }

    /// <summary>
    /// Runs a step; a broken connection, a timeout or a protocol violation ends the session (IsConnected false), and
    /// <paramref name="lost"/> turns it into the step's answer (451 4.4.2) when the caller wants one instead of the exception.
    /// </summary>
    private async Task<T> GuardAsync<T>(Func<Task<T>> step, CancellationToken ct, Func<ServerReply, T>? lost = null)
    {
        try
        {
            return await step();
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or AuthenticationException
                                   || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            IsConnected = false;
            var reason = ex is OperationCanceledException ? $"no answer within {timeout}" : ex.Message;
            if (lost is null) return default!;
            return lost(new ServerReply(451, $"4.4.2 Connection lost: {reason}"));
        }
    }

    private CancellationTokenSource Limit(CancellationToken ct)
    {
        var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        return limit;
    }

    private static void Expect(ServerReply reply, int code)
    {
        if (reply.Code != code) throw new SmtpReplyException(reply);
    }

    private static ServerReply[] Fill(ServerReply[] replies, ServerReply reply, bool onlyEmpty = false)
    {
        for (var i = 0; i < replies.Length; i++)
        {
            if (!onlyEmpty || replies[i].Code == 0) replies[i] = reply;
        }
        return replies;
    }
}
