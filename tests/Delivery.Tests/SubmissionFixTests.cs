using System.Text;
using MimeKit;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>RFC 6409 8: what the relay completes or repairs in a submitted message before queuing it, and what it refuses.</summary>
public sealed class SubmissionFixTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string Complete = "From: sender@customer.test\r\nTo: ada@gmail.test\r\nSubject: complete\r\nDate: Sat, 05 Dec 2026 10:00:00 +0000\r\nMessage-ID: <complete@customer.test>\r\n";

    [Fact]
    public async Task A_complete_message_is_stored_byte_for_byte_after_the_received_header()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        var content = Complete + "\r\nHello.\r\n.a line that starts with a dot\r\n";

        // Dot-stuffed on the wire (RFC 5321 4.5.2), as the client must.
        var stored = await StoredAsync(relay, await RelayLimitTests.SendAsync(relay, content.Replace("\r\n.a", "\r\n..a") + "."));

        var text = Encoding.UTF8.GetString(stored);
        Assert.Equal(content, text[text.IndexOf("From: ", StringComparison.Ordinal)..]);
    }

    [Fact]
    public async Task Date_and_message_id_are_added_when_missing()
    {
        await using var relay = await RelayHost.StartAsync(postgres);

        var message = await StoredMessageAsync(relay, await RelayLimitTests.SendAsync(relay, "From: sender@customer.test\r\nSubject: bare\r\n\r\nbody\r\n."));

        Assert.True(message.Date > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.EndsWith($"@{RelayHost.SourceHostname}", message.MessageId); // the service's own name, as its sessions greet
        Assert.Equal("bare", message.Subject);
    }

    [Fact]
    public async Task A_body_line_over_998_octets_is_re_encoded_as_quoted_printable_with_a_mime_version()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        var longLine = string.Concat(Enumerable.Range(0, 300).Select(i => $"w{i} "));

        var stored = await StoredAsync(relay, await RelayLimitTests.SendAsync(relay, Complete + $"\r\nshort\r\n{longLine}\r\n."));

        AssertNoLineOver998(stored);
        var message = await MimeMessage.LoadAsync(new MemoryStream(stored));
        Assert.Equal("1.0", message.Headers[HeaderId.MimeVersion]);
        var part = Assert.IsType<TextPart>(message.Body);
        Assert.Equal(ContentEncoding.QuotedPrintable, part.ContentTransferEncoding);
        Assert.Equal($"short\n{longLine}\n", part.Text.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task A_line_of_200_kb_read_in_pieces_is_stored_whole_and_re_encoded()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        var huge = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"w{i % 10} ")); // 60,000+ octets per 20,000 words

        var stored = await StoredAsync(relay, await RelayLimitTests.SendAsync(relay, Complete + $"\r\n{huge}{huge}{huge}\r\n.line after\r\n."));

        AssertNoLineOver998(stored);
        var part = Assert.IsType<TextPart>((await MimeMessage.LoadAsync(new MemoryStream(stored))).Body);
        Assert.Equal($"{huge}{huge}{huge}\nline after\n", part.Text.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task An_attachment_with_an_over_long_line_is_re_encoded_as_base64()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        var blob = new string('A', 3000);
        var content = Complete + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n" +
                      $"--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: 7bit\r\n\r\n{blob}\r\n--b1--\r\n.";

        var stored = await StoredAsync(relay, await RelayLimitTests.SendAsync(relay, content));

        AssertNoLineOver998(stored);
        var attachment = Assert.IsType<MimePart>(Assert.IsType<Multipart>((await MimeMessage.LoadAsync(new MemoryStream(stored))).Body)[1]);
        Assert.Equal(ContentEncoding.Base64, attachment.ContentTransferEncoding);
        using var decoded = new MemoryStream();
        await attachment.Content!.DecodeToAsync(decoded);
        Assert.Equal(blob, Encoding.ASCII.GetString(decoded.ToArray())); // the CRLF before the boundary belongs to the boundary
    }

    [Fact]
    public async Task An_over_long_header_line_is_folded()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        var subject = string.Join(' ', Enumerable.Range(0, 250).Select(i => $"word{i}"));

        var stored = await StoredAsync(relay, await RelayLimitTests.SendAsync(relay, Complete.Replace("Subject: complete", $"Subject: {subject}") + "\r\nbody\r\n."));

        AssertNoLineOver998(stored);
        Assert.Equal(subject, (await MimeMessage.LoadAsync(new MemoryStream(stored))).Subject);
    }

    [Fact]
    public async Task Bare_lf_and_bare_cr_are_stored_as_crlf()
    {
        await using var relay = await RelayHost.StartAsync(postgres);

        var stored = await StoredAsync(relay, await RelayLimitTests.SendAsync(relay, Complete + "\r\nline one\nline two\rline three\r\n."));

        var text = Encoding.UTF8.GetString(stored);
        Assert.EndsWith("\r\nline one\r\nline two\r\nline three\r\n", text);
        Assert.DoesNotContain("\n", text.Replace("\r\n", ""));
        Assert.DoesNotContain("\r", text.Replace("\r\n", ""));
    }

    [Fact]
    public async Task A_line_that_cannot_be_re_encoded_is_refused_with_554_5_6_0()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        // A multipart preamble is not part of any body part: nothing can re-encode a 1,200-octet line there.
        var content = Complete + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
                      $"{new string('x', 1200)}\r\n--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b1--\r\n.";

        Assert.StartsWith("554 5.6.0", await RelayLimitTests.SendAsync(relay, content));
        Assert.Equal(0L, await relay.QuerySingleAsync<long>("SELECT count(*) FROM messages"));
    }

    private static void AssertNoLineOver998(byte[] stored) =>
        Assert.All(Encoding.UTF8.GetString(stored).Split("\r\n"), line => Assert.True(line.Length <= 998, $"a line of {line.Length} octets"));

    private static async Task<byte[]> StoredAsync(RelayHost relay, string reply)
    {
        Assert.StartsWith("250 2.0.0 Ok: queued as", reply);
        var messageId = Guid.ParseExact(reply[(reply.LastIndexOf(' ') + 1)..], "N");
        return await relay.QuerySingleAsync<byte[]>("SELECT data FROM messages WHERE id = @messageId", new { messageId });
    }

    private static async Task<MimeMessage> StoredMessageAsync(RelayHost relay, string reply) =>
        await MimeMessage.LoadAsync(new MemoryStream(await StoredAsync(relay, reply)));
}
