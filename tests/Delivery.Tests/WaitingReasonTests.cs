using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.MailPolicy;
using ProMTA.MailPolicy.Reputation;
using ProMTA.MailPolicy.Shaping;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>Why queued mail waits is told from the lane the worker really uses: the provider of the domain's MX host.</summary>
public sealed class WaitingReasonTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 18, 0, 0, TimeSpan.Zero);
    private const string Ip = "203.0.113.7";

    private static readonly TrailRecipient Pat = new()
    {
        Id = 1, Address = "pat@corp.test", Domain = "corp.test", Provider = "Other", Status = "Queued", NextAttemptAt = Now.AddMinutes(5), ExpiresAt = Now.AddDays(5),
    };

    private static readonly LaneSnapshot[] Lanes =
    [
        new(Ip, "gmail", ShapingMode.Suspended, 0, 0, 0, 0, 1, 0, 10, Now.AddHours(1), null, null, 0),
        new(Ip, "default", ShapingMode.Normal, 120, 2, 0, 100, 1, 0, 10, null, null, null, 0),
    ];

    [Fact]
    public void A_domain_whose_mx_is_at_google_waits_for_the_gmail_lane()
    {
        var waiting = WaitingReason.Explain(Pat, "aspmx.l.google.com", ThrottlingData.Default.Providers, RelayAccounts.Active, Lanes, [], "tenant", Now);

        Assert.NotNull(waiting);
        Assert.Equal($"Gmail (corp.test's MX) refused mail from {Ip} for its reputation; sending there resumes after the pause.", waiting.Reason);
        Assert.Equal(Now.AddHours(1), waiting.Until);
    }

    [Fact]
    public void Without_an_mx_answer_the_domain_s_own_provider_lane_explains_it()
    {
        var waiting = WaitingReason.Explain(Pat, null, ThrottlingData.Default.Providers, RelayAccounts.Active, Lanes, [], "tenant", Now);

        Assert.Equal("Waiting for its turn. The Other lane sends at 120/min. Next attempt at the time given.", waiting?.Reason);
    }

    [Fact]
    public void A_tenant_paused_at_the_mx_provider_is_the_reason()
    {
        TenantSnapshot[] tenants = [new("tenant", "gmail", RelayMode.Managed, ReputationVerdict.Suspended, 0, 0, 0.9, 0, 0.01, 0.004, Now.AddHours(4))];

        var waiting = WaitingReason.Explain(Pat, "aspmx.l.google.com", ThrottlingData.Default.Providers, RelayAccounts.Active, Lanes, tenants, "tenant", Now);

        Assert.StartsWith("Paused at Gmail (corp.test's MX):", waiting?.Reason);
        Assert.Equal(Now.AddHours(4), waiting?.Until);
    }
}
