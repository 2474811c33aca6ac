using System.Text;

namespace ProMTA.Delivery.Outbound.Smtp;

/// <summary>A server reply: the code and the text of every line joined by '\n' (the enhanced status code stays in front).</summary>
internal readonly record struct ServerReply(int Code, string Text)
{
    public bool Positive => Code is >= 200 and < 400;

    public (int Code, string Text) AsTuple() => (Code, Text);
}

/// <summary>The server sent something that is not an SMTP reply: the session cannot go on.</summary>
internal sealed class SmtpProtocolViolation(string message) : IOException(message);

/// <summary>A reply the session could not go on after (a refused greeting, EHLO refused).</summary>
internal sealed class SmtpReplyException(ServerReply reply) : Exception($"{reply.Code} {reply.Text}")
{
    public ServerReply Reply { get; } = reply;
}

/// <summary>Reads SMTP replies (RFC 5321 4.2, multi-line "250-...") from the session's stream.</summary>
internal sealed class SmtpReplyReader(Stream stream)
{
    private const int MaxLine = 4096;
    private readonly byte[] buffer = new byte[8192];
    private int start;
    private int end;

    public async Task<ServerReply> ReadAsync(CancellationToken ct)
    {
        var code = -1;
        var text = new StringBuilder();
        while (true)
        {
            var line = await ReadLineAsync(ct);
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), out var lineCode) || (line.Length > 3 && line[3] is not (' ' or '-')))
                throw new SmtpProtocolViolation($"not an SMTP reply: {line[..Math.Min(line.Length, 80)]}");
            if (code >= 0 && lineCode != code) throw new SmtpProtocolViolation($"reply lines with different codes ({code}, {lineCode})");
            code = lineCode;
            if (text.Length > 0) text.Append('\n');
            if (line.Length > 4) text.Append(line, 4, line.Length - 4);
            if (line.Length == 3 || line[3] == ' ') return new ServerReply(code, text.ToString());
        }
    }

    /// <summary>Forgets what was read ahead: after STARTTLS nothing the server sent in plaintext may be trusted (RFC 3207 6).</summary>
    public void Discard() => start = end = 0;

    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            var newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var length = newline > 0 && buffer[start + newline - 1] == '\r' ? newline - 1 : newline;
                var line = Encoding.UTF8.GetString(buffer, start, length);
                start += newline + 1;
                return line;
            }
            if (end - start >= MaxLine) throw new SmtpProtocolViolation("reply line too long");
            if (start > 0)
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }
            var read = await stream.ReadAsync(buffer.AsMemory(end), ct);
            if (read == 0) throw new IOException("the server closed the connection");
            end += read;
        }
    }
}
