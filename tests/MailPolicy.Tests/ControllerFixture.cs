using ProMTA.MailPolicy.Replies;

namespace ProMTA.MailPolicy.Tests;

/// <summary>Shared helpers: a controller on a virtual clock and the replies the tests send it.</summary>
internal static class ControllerFixture
{
    public const string Ip = "198.51.100.10";
    public const string Tenant = "service-1";
    public static readonly DateTimeOffset T0 = new(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);

    public static readonly SmtpReply GmailRateLimited = SmtpReply.Parse("421 4.7.28 [198.51.100.10] Our system has detected an unusual rate of mail originating from your IP address.");
    public static readonly SmtpReply GmailUnsolicited = SmtpReply.Parse("421 4.7.28 [198.51.100.10] Our system has detected an unusual rate of unsolicited mail originating from your IP address.");
    public static readonly SmtpReply UnknownUser = SmtpReply.Parse("550 5.1.1 The email account that you tried to reach does not exist.");
    public static readonly SmtpReply MailboxFull = SmtpReply.Parse("452 4.2.2 The email account that you tried to reach is over quota.");
    public static readonly SmtpReply Unauthenticated = SmtpReply.Parse("550 5.7.26 This mail has been blocked because the sender is unauthenticated.");

    public static ThrottleController Create(ThrottlingOptions? options = null) => new(options);

    public static double RateOf(ThrottleController controller, string provider = "gmail", string ip = Ip) =>
        controller.Snapshot(T0).Lanes.Single(l => l.SourceIp == ip && l.Provider == provider).RatePerMinute;

    /// <summary>Sends for <paramref name="duration"/> as fast as allowed, every reply accepted; returns the messages sent.</summary>
    public static long SendClean(ThrottleController controller, DateTimeOffset from, TimeSpan duration, string provider = "gmail", string ip = Ip, string tenant = Tenant)
    {
        long sent = 0;
        for (var now = from; now < from + duration; now += TimeSpan.FromMilliseconds(100))
        {
            while (controller.TryAcquire(ip, provider, tenant, now).Allowed)
            {
                controller.Record(ip, provider, tenant, SmtpReply.Accepted, now);
                sent++;
            }
        }
        return sent;
    }
}
