using System.Diagnostics;
using MimeKit;
using Org.BouncyCastle.X509;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// What a receiving MTA sees of us on the wire: the EHLO name of the IP the session comes from, the signed headers a
/// postmaster expects, checked with a DKIM verifier nobody here wrote (Debian's python3-dkim, i.e. dkimpy).
/// </summary>
public sealed class WireIdentityTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task An_outbound_session_greets_with_the_ptr_name_of_the_dedicated_ip_it_leaves_from()
    {
        await using var relay = await RelayHost.StartAsync(postgres);

        await relay.SubmitAsync("ada@gmail.test");

        var received = await DkimSigningTests.ReceivedAsync(relay);
        var arrived = Assert.Single(relay.Mx.Received);
        Assert.Equal((RelayHost.SourceIp, RelayHost.SourceHostname), (arrived.ClientIp, arrived.Helo));
        Assert.NotNull(received);
    }

    [Fact]
    public async Task The_signature_covers_the_headers_receivers_expect_oversigns_from_and_verifies_with_dkimpy()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        var publicKey = await DkimSigningTests.PublishKeyAsync(relay, "customer.test");
        var message = RelayHost.Message("ada@gmail.test", "Newsletter");
        message.Cc.Add(MailboxAddress.Parse("bob@gmail.test"));
        message.ReplyTo.Add(MailboxAddress.Parse("support@customer.test"));
        message.Headers.Add("List-Unsubscribe", "<https://customer.test/u/1>, <mailto:unsubscribe@customer.test>");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        message.Headers.Add("Feedback-ID", "campaign1:newsletter:svc:promta");
        message.Headers.Add("Return-Path", "<spoofed@elsewhere.test>");
        using (var client = await relay.ConnectAsync())
        {
            await client.AuthenticateAsync(relay.Username, RelayHost.Password);
            await client.SendAsync(message, MailboxAddress.Parse("bounces@customer.test"), [MailboxAddress.Parse("ada@gmail.test")]);
        }

        var received = await DkimSigningTests.ReceivedAsync(relay);
        var signature = Assert.Single(received.Headers, h => h.Id == HeaderId.DkimSignature);
        var signed = Tag(signature.Value, "h").ToLowerInvariant().Split(':');
        Assert.Equal(
            ["from", "to", "cc", "subject", "date", "message-id", "reply-to", "mime-version", "content-type",
             "list-unsubscribe", "list-unsubscribe-post", "feedback-id", "from"],
            signed);
        Assert.DoesNotContain(received.Headers, h => h.Id == HeaderId.ReturnPath); // only the final delivery agent writes it

        var raw = Assert.Single(relay.Mx.Received).Data;
        Assert.Equal("True", await DkimpyVerifyAsync(raw, publicKey));
        // A second From added on the way breaks the signature: From is oversigned.
        var tampered = System.Text.Encoding.ASCII.GetBytes("From: ceo@customer.test\r\n").Concat(raw).ToArray();
        Assert.Equal("False", await DkimpyVerifyAsync(tampered, publicKey));
    }

    private static string Tag(string value, string name) =>
        value.Split(';').Select(t => t.Trim().Split('=', 2)).Where(t => t.Length == 2 && t[0].Trim() == name)
            .Select(t => string.Concat(t[1].Where(c => !char.IsWhiteSpace(c)))).Single();

    /// <summary>dkimpy's verdict on the message, its DNS lookup answered with the TXT record Dns would publish for the key.</summary>
    private static async Task<string> DkimpyVerifyAsync(byte[] message, Org.BouncyCastle.Crypto.AsymmetricKeyParameter key)
    {
        var directory = Directory.CreateTempSubdirectory("dkimpy-").FullName;
        try
        {
            var messagePath = Path.Combine(directory, "message.eml");
            var recordPath = Path.Combine(directory, "record.txt");
            await File.WriteAllBytesAsync(messagePath, message);
            var spki = Convert.ToBase64String(SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(key).GetDerEncoded());
            await File.WriteAllTextAsync(recordPath, $"v=DKIM1; k=rsa; p={spki}");
            const string script = """
                import sys, dkim
                message = open(sys.argv[1], 'rb').read()
                record = open(sys.argv[2], 'rb').read()
                print(dkim.verify(message, dnsfunc=lambda name, timeout=5: record))
                """;
            // Debian's interpreter: python3-dkim is installed for it (eng/install-servers.sh), not for any other on PATH.
            var start = new ProcessStartInfo("/usr/bin/python3", ["-c", script, messagePath, recordPath])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
            var output = await process.StandardOutput.ReadToEndAsync();
            var errors = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"dkimpy failed: {errors}");
            return output.Trim();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
