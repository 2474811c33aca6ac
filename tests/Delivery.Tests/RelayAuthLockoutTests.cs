using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>AUTH failures lock out (client IP, username) and client IP, never a username for everyone (issue 14 section 3).</summary>
public sealed class RelayAuthLockoutTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_stranger_failing_against_the_owners_username_is_locked_out_but_the_owner_still_logs_in()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        await using (var stranger = await SmtpDialog.ConnectAsync(relay.Port, localAddress: "127.0.0.2"))
        {
            await stranger.SendAsync("EHLO stranger.test");
            for (var i = 0; i < 5; i++) Assert.StartsWith("535 5.7.8", await stranger.SendAsync("AUTH PLAIN " + Plain(relay.Username, $"guess-{i}")));
            // Locked out now, even with the right password: a guesser learns nothing from here on.
            Assert.StartsWith("454 4.7.0", await stranger.SendAsync("AUTH PLAIN " + Plain(relay.Username, RelayHost.Password)));
        }

        await using var owner = await SmtpDialog.ConnectAsync(relay.Port, localAddress: "127.0.0.1");
        await owner.SendAsync("EHLO owner.test");
        Assert.StartsWith("235 2.7.0", await owner.SendAsync("AUTH PLAIN " + Plain(relay.Username, RelayHost.Password)));
    }

    [Fact]
    public async Task A_failed_auth_with_an_unknown_username_logs_a_hash_not_what_was_typed()
    {
        var logs = new CapturingLoggerProvider();
        await using var relay = await RelayHost.StartAsync(postgres, services: s => s.AddSingleton<ILoggerProvider>(logs));
        await using var smtp = await SmtpDialog.ConnectAsync(relay.Port);
        await smtp.SendAsync("EHLO client.test");

        Assert.StartsWith("535 5.7.8", await smtp.SendAsync("AUTH PLAIN " + Plain("my-secret-password-in-the-wrong-field", "x")));
        Assert.StartsWith("535 5.7.8", await smtp.SendAsync("AUTH PLAIN " + Plain(relay.Username, "wrong")));

        Assert.DoesNotContain(logs.Messages, m => m.Contains("my-secret-password-in-the-wrong-field"));
        Assert.Contains(logs.Messages, m => m.Contains("unknown username (sha256"));
        Assert.Contains(logs.Messages, m => m.Contains($"failed for service {relay.ServiceId}"));
    }

    private static string Plain(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> messages = new();

        public IReadOnlyCollection<string> Messages => messages;

        public ILogger CreateLogger(string categoryName) => new Logger(messages);

        public void Dispose() { }

        private sealed class Logger(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(formatter(state, exception));
        }
    }
}
