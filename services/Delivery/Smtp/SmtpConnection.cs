using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ProMTA.Delivery.Smtp;

/// <summary>
/// The byte side of a session: lines in, replies out, STARTTLS. Every read and write gets the inactivity timeout afresh, so
/// a session is ended only when the client sends nothing for that long (RFC 5321 4.5.3.2.7), never while it makes progress.
/// </summary>
internal sealed class SmtpConnection(Stream network, TimeSpan idleTimeout, CancellationToken stopping) : IAsyncDisposable
{
    /// <summary>
    /// Reads of up to 16 KB: a typical message (10 KB) comes in one or two reads instead of three or more with the default
    /// 4 KB, each a receive call and often a wake-up. A waiting session holds one such buffer.
    /// </summary>
    private static readonly StreamPipeReaderOptions ReaderOptions = new(bufferSize: 16 * 1024, minimumReadSize: 4 * 1024, leaveOpen: true);

    private readonly CancellationTokenSource idle = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    /// <summary>The network stream, then the TLS stream over it after STARTTLS.</summary>
    private Stream stream = network;
    private PipeReader reader = PipeReader.Create(network, ReaderOptions);
    private PipeWriter writer = PipeWriter.Create(network, new StreamPipeWriterOptions(leaveOpen: true));
    private bool lineBuffered;

    /// <summary>True when the client already sent another complete line (PIPELINING): replies wait and go out together.</summary>
    public bool HasBufferedLine => lineBuffered;

    public SslProtocols? TlsProtocol => (stream as SslStream)?.SslProtocol;

    public async ValueTask<ReadResult> ReadAsync()
    {
        idle.CancelAfter(idleTimeout);
        var result = await reader.ReadAsync(idle.Token);
        // The clock runs only while we wait for the client, not while a handler works (a slow commit is not the client's idleness).
        idle.CancelAfter(Timeout.InfiniteTimeSpan);
        return result;
    }

    /// <summary>Everything read was looked at; nothing complete is left (DATA, still in progress).</summary>
    public void AdvanceTo(SequencePosition consumed, SequencePosition examined) => reader.AdvanceTo(consumed, examined);

    /// <summary>
    /// DATA ended: what follows the final "." may already be pipelined commands. Marked unexamined, so the next read
    /// returns them at once instead of waiting for more bytes.
    /// </summary>
    public void AdvanceAfterData(ReadOnlySequence<byte> remaining)
    {
        lineBuffered = remaining.PositionOf((byte)'\n') is not null;
        reader.AdvanceTo(remaining.Start);
    }

    /// <summary>One command line without its line end (a bare LF is taken as one too); null at end of stream.</summary>
    public async ValueTask<(string? Line, bool TooLong)> ReadLineAsync(int maxLength)
    {
        var tooLong = false;
        while (true)
        {
            var result = await ReadAsync();
            var buffer = result.Buffer;
            if (buffer.PositionOf((byte)'\n') is { } end)
            {
                var line = buffer.Slice(0, end);
                var rest = buffer.Slice(buffer.GetPosition(1, end));
                lineBuffered = rest.PositionOf((byte)'\n') is not null;
                var text = tooLong ? null : Decode(line);
                reader.AdvanceTo(rest.Start);
                return tooLong || text!.Length > maxLength ? (null, true) : (text, false);
            }
            if (buffer.Length > maxLength)
            {
                // Discard what came so far and keep reading to the line's end, so the next line is read as a command.
                tooLong = true;
                reader.AdvanceTo(buffer.End);
            }
            else reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) return (null, false);
        }
    }

    public async ValueTask WriteAsync(SmtpResponse response, bool flush)
    {
        Write(response);
        if (flush) await FlushAsync();
    }

    /// <summary>The last reply (421 on idle timeout, shutdown, too many errors): sent on its own short timeout, since the session's may be spent.</summary>
    public async ValueTask WriteFinalAsync(SmtpResponse response)
    {
        Write(response);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await writer.FlushAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The client is gone or not reading: the connection is closed anyway.
        }
    }

    public async ValueTask FlushAsync()
    {
        idle.CancelAfter(idleTimeout);
        await writer.FlushAsync(idle.Token);
        idle.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Switches to TLS 1.2/1.3. Anything the client pipelined after STARTTLS is dropped unread (the CVE-2011-0411 command
    /// injection): only what comes inside TLS counts.
    /// </summary>
    public async Task StartTlsAsync(X509Certificate2 certificate)
    {
        await reader.CompleteAsync();
        await writer.CompleteAsync();
        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        idle.CancelAfter(idleTimeout);
        try
        {
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = certificate,
                ClientCertificateRequired = false,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            }, idle.Token);
            idle.CancelAfter(Timeout.InfiniteTimeSpan);
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }
        stream = tls;
        reader = PipeReader.Create(tls, ReaderOptions);
        writer = PipeWriter.Create(tls, new StreamPipeWriterOptions(leaveOpen: true));
        lineBuffered = false;
    }

    /// <summary>A multi-line reply (EHLO) has its lines separated by \n in the text: each but the last gets "-" after the code.</summary>
    private void Write(SmtpResponse response)
    {
        var lines = response.Text.Split('\n');
        for (var i = 0; i < lines.Length; i++) WriteRaw($"{response.Code}{(i < lines.Length - 1 ? '-' : ' ')}{lines[i]}\r\n");
    }

    private void WriteRaw(string text)
    {
        var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        writer.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private static string Decode(ReadOnlySequence<byte> line)
    {
        var text = Encoding.UTF8.GetString(line);
        return text.EndsWith('\r') ? text[..^1] : text;
    }

    public async ValueTask DisposeAsync()
    {
        await reader.CompleteAsync();
        await writer.CompleteAsync();
        // The TLS stream owns the network stream it wraps.
        await stream.DisposeAsync();
        idle.Dispose();
    }
}
