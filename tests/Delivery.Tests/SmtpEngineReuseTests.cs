using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using ProMTA.Delivery.Smtp;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// The SMTP engine with another policy than the relay's, as an inbound MX for hosted domains will use it (issue 15
/// section 3): no authenticator, so no AUTH; a filter that takes only hosted domains; its own store.
/// </summary>
public sealed class SmtpEngineReuseTests
{
    [Fact]
    public async Task A_listener_without_an_authenticator_offers_no_auth_and_applies_its_own_policy()
    {
        var port = FreePort.Next();
        var store = new ListStore();
        var listener = new SmtpListener(new SmtpListenerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, port), Hostname = "mx.hosted.test" },
            new SmtpHandlers(new HostedDomainsOnly(), store), NullLogger<SmtpListener>.Instance);
        using var stop = new CancellationTokenSource();
        var running = listener.RunAsync(stop.Token);
        try
        {
            await using var smtp = await ConnectWhenListeningAsync(port);

            Assert.StartsWith("220 mx.hosted.test ESMTP", smtp.Greeting);
            Assert.DoesNotContain("AUTH", await smtp.SendAsync("EHLO sender.example"));
            Assert.StartsWith("503 5.5.1 AUTH not available", await smtp.SendAsync("AUTH PLAIN AHgAeQ=="));
            Assert.StartsWith("250 2.1.0", await smtp.SendAsync("MAIL FROM:<>"));
            Assert.StartsWith("550 5.7.1 Relaying denied", await smtp.SendAsync("RCPT TO:<someone@elsewhere.example>"));
            Assert.StartsWith("250 2.1.5", await smtp.SendAsync("RCPT TO:<postmaster@hosted.test>"));
            await smtp.SendAsync("DATA");
            Assert.StartsWith("250 2.0.0 stored", await smtp.SendAsync("Subject: bounce\r\n\r\nreport\r\n."));
            Assert.Equal("postmaster@hosted.test", Assert.Single(store.Messages).To.Single().AsAddress());
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
    }

    private static async Task<SmtpDialog> ConnectWhenListeningAsync(int port)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await SmtpDialog.ConnectAsync(port);
            }
            catch (System.Net.Sockets.SocketException) when (attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }

    private sealed class HostedDomainsOnly : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            to.Host == "hosted.test" ? Task.FromResult(true) : throw new SmtpResponseException(new SmtpResponse(550, "5.7.1 Relaying denied"));
    }

    private sealed class ListStore : IMessageStore
    {
        public ConcurrentQueue<IMessageTransaction> Messages { get; } = new();

        public Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            Messages.Enqueue(transaction);
            return Task.FromResult(new SmtpResponse(250, "2.0.0 stored"));
        }
    }
}
