using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Security;
using ProMTA.Delivery.Outbound.Dkim;
using ProMTA.Delivery.Outbound.Smtp;
using ProMTA.FakeIsp;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// The stored bytes sent as they are (issue 19, step 3): signed over the raw message, written to DATA by our SMTP client
/// over a real socket to the tests' fake MX and to Postfix's smtp-sink, and what arrived verified by python3-dkim (an
/// independent verifier) and MimeKit's verifier.
/// </summary>
public sealed class RawDeliveryTests : IDisposable
{
    private const string Selector = "pm20261206000000";
    private readonly RSA rsa = RSA.Create(2048);

    public static TheoryData<string> Kinds => [.. Messages.Keys];

    private static readonly Dictionary<string, string> Messages = new()
    {
        ["plain ASCII"] = Headers("Hello") + "Hello Bob,\r\n\r\nplain ASCII, two  spaces and a tab\there.\r\n",
        ["8-bit UTF-8 body"] = Headers("=?utf-8?q?Gr=C3=BC=C3=9Fe?=", "text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit")
            + "Grüße aus Köln – ein Straßenfest für alle.\r\n日本語のテキスト\r\n",
        ["lines starting with a dot"] = Headers("Dots") + ".hidden\r\n..two dots\r\n.\r\nafter a lone dot\r\n. \r\n",
        ["long folded headers"] = "From: Ada Lovelace <ada@customer.test>\r\n"
            + "To: bob@gmail.test,\r\n\tcarol@gmail.test,\r\n    dave@gmail.test\r\n"
            + "Subject: A very long subject line that a mail user agent folded\r\n over   three\r\n\tlines  \r\n"
            + "Date: Sun, 06 Dec 2026 03:00:00 +0000\r\nMessage-ID: <folded@customer.test>\r\n"
            + "List-Unsubscribe: <https://customer.test/unsubscribe/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa>,\r\n <mailto:unsubscribe@customer.test?subject=unsubscribe>\r\n"
            + "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nMIME-Version: 1.0\r\nContent-Type: text/plain;\r\n\tcharset=us-ascii\r\n\r\nFolded.\r\n",
        ["no final line break"] = Headers("No CRLF") + "first line\r\nthe last line has no line break",
        ["bare line feeds"] = (Headers("LF") + "stored\nwith bare\n.line feeds\n").Replace("\r\n", "\n"),
        ["multipart with attachments"] = Multipart(),
    };

    public void Dispose() => rsa.Dispose();

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_message_sent_as_stored_arrives_with_a_signature_both_verifiers_accept(string kind)
    {
        var port = FreePort.Next();
        await using var mx = new FakeMx(new FakeProviderOptions { Name = "Gmail", Domain = "gmail.test", Address = "127.0.0.1" }, port);
        mx.Start();
        var stored = Encoding.UTF8.GetBytes(Messages[kind]);

        var replies = await SendAsync(port, stored);

        Assert.Equal(250, Assert.Single(replies).Code);
        // The fake MX hands the data over without the CRLF in front of the terminating dot, which belongs to the message's
        // last line (RFC 5321 4.1.1.4): put back, or a verifier sees a last line that never had its line break.
        var received = Assert.Single(mx.Received).Data.Concat("\r\n"u8.ToArray()).ToArray();
        var verdict = await PythonDkim.VerifyAsync(received, rsa.ExportSubjectPublicKeyInfo());
        Assert.True(verdict == "pass", $"{verdict}\n--- received:\n{Encoding.UTF8.GetString(received)}");
        Assert.True(await MimeKitVerifiesAsync(received), "MimeKit's verifier");
        // The body arrives byte for byte (line ends made CRLF, a last line break added): nothing re-encoded it.
        var body = HeaderBlock.Parse(stored).Body.ToArray();
        Assert.EndsWith(Normalized(body), Encoding.UTF8.GetString(received));
        Assert.Equal(Encoding.UTF8.GetBytes(Messages[kind]).AsSpan().IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0,
            received.AsSpan().IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Postfixs_smtp_sink_receives_every_kind_signed_and_8bit_only_with_BODY_8BITMIME(string kind)
    {
        var port = FreePort.Next();
        await using var sink = await SmtpSink.StartAsync(port);
        var stored = Encoding.UTF8.GetBytes(Messages[kind]);

        Assert.Equal(250, Assert.Single(await SendAsync(port, stored)).Code);

        var dump = await SingleDumpAsync(sink);
        Assert.Equal("pass", await PythonDkim.VerifyAsync(PythonDkim.WithCrLf(Encoding.UTF8.GetBytes(dump)), rsa.ExportSubjectPublicKeyInfo()));
        var mailArgs = dump.Split('\n').Single(l => l.StartsWith("X-Mail-Args:", StringComparison.Ordinal));
        Assert.Equal(kind == "8-bit UTF-8 body" || kind == "multipart with attachments", mailArgs.Contains("BODY=8BITMIME"));
    }

    [Fact]
    public async Task A_server_without_8BITMIME_gets_the_8bit_message_re_encoded_to_7bit_and_signed_after_the_conversion()
    {
        var port = FreePort.Next();
        await using var sink = await SmtpSink.StartAsync(port, options: ["-8"]);
        var stored = Encoding.UTF8.GetBytes(Messages["8-bit UTF-8 body"]);

        Assert.Equal(250, Assert.Single(await SendAsync(port, stored)).Code);

        var dump = await SingleDumpAsync(sink);
        var bytes = PythonDkim.WithCrLf(Encoding.UTF8.GetBytes(dump));
        Assert.Equal(-1, bytes.AsSpan().IndexOfAnyInRange((byte)0x80, (byte)0xFF));
        Assert.DoesNotContain("BODY=8BITMIME", dump);
        Assert.Equal("pass", await PythonDkim.VerifyAsync(bytes, rsa.ExportSubjectPublicKeyInfo()));
        var message = await MimeMessage.LoadAsync(new MemoryStream(bytes));
        Assert.Equal("Grüße aus Köln – ein Straßenfest für alle.\n日本語のテキスト\n", message.TextBody?.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Refused_recipients_keep_their_own_reply_and_the_reset_session_carries_the_next_transaction()
    {
        var port = FreePort.Next();
        await using var sink = await SmtpSink.StartAsync(port, hardReject: "RCPT");
        var socket = await ConnectAsync(port);
        await using var session = await SmtpSession.OpenAsync(socket, "localhost", "relay.customer.test", TimeSpan.FromSeconds(30), default);

        var replies = await session.SendAsync("ada@customer.test", ["bob@gmail.test", "carol@gmail.test"], [Encoding.ASCII.GetBytes(Messages["plain ASCII"])], false, default);

        Assert.All(replies, r => Assert.Equal(5, r.Code / 100));
        Assert.True(session.IsConnected);
        // Reset after the failed transaction: the session carries the next one.
        Assert.True(await session.NoOpAsync(default));
    }

    private async Task<ServerReply[]> SendAsync(int port, byte[] stored)
    {
        var message = OutgoingMessage.From(stored, "mail:test:promta");
        var socket = await ConnectAsync(port);
        await using var session = await SmtpSession.OpenAsync(socket, "localhost", "relay.customer.test", TimeSpan.FromSeconds(30), default);
        if (message.EightBit && !session.Capabilities.EightBitMime) message = message.SevenBit();
        var signature = RawDkimSigner.Sign(message.Block, "customer.test", Selector, new RsaSigningKey(rsa.ExportPkcs8PrivateKey()), DateTimeOffset.UtcNow);
        var replies = await session.SendAsync("ada@customer.test", ["bob@gmail.test"], [signature, message.Bytes], message.EightBit, default);
        await session.QuitAsync();
        return replies;
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    private static async Task<string> SingleDumpAsync(SmtpSink sink)
    {
        await RelayHost.EventuallyAsync(() => Task.FromResult(sink.Messages().Count > 0));
        return Assert.Single(sink.Messages());
    }

    private async Task<bool> MimeKitVerifiesAsync(byte[] data)
    {
        var message = await MimeMessage.LoadAsync(new MemoryStream(data));
        var header = Assert.Single(message.Headers, h => h.Id == HeaderId.DkimSignature);
        var key = PublicKeyFactory.CreateKey(rsa.ExportSubjectPublicKeyInfo());
        return await new DkimVerifier(new DkimSigningTests.PublishedKeyLocator("customer.test", Selector, key)).VerifyAsync(message, header);
    }

    private static string Normalized(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body).Replace("\r\n", "\n").Replace("\n", "\r\n");
        return text.Length == 0 || text.EndsWith("\r\n", StringComparison.Ordinal) ? text : text + "\r\n";
    }

    private static string Headers(string subject, string contentType = "text/plain; charset=us-ascii") =>
        $"From: Ada <ada@customer.test>\r\nTo: Bob <bob@gmail.test>\r\nSubject: {subject}\r\nDate: Sun, 06 Dec 2026 03:00:00 +0000\r\n"
        + $"Message-ID: <{Guid.NewGuid():N}@customer.test>\r\nMIME-Version: 1.0\r\nContent-Type: {contentType}\r\n\r\n";

    private static string Multipart()
    {
        var attachment = new byte[3000];
        new Random(19).NextBytes(attachment);
        var base64 = Convert.ToBase64String(attachment, Base64FormattingOptions.InsertLineBreaks);
        return Headers("Invoice", "multipart/mixed; boundary=\"b1\"")
            + "This is a MIME message.\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + "Ihre Rechnung über 12 € liegt bei.\r\n.\r\n\r\n--b1\r\nContent-Type: application/pdf; name=\"invoice.pdf\"\r\n"
            + "Content-Disposition: attachment; filename=\"invoice.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + base64 + "\r\n--b1\r\nContent-Type: text/csv; name=\"lines.csv\"\r\nContent-Disposition: attachment\r\n\r\n"
            + "a,b\r\n1,2\r\n--b1--\r\n";
    }
}
