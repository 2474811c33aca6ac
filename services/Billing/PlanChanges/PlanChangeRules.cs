using ProMTA.Billing.Catalogue;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;

namespace ProMTA.Billing.PlanChanges;

public static class PlanChangeKind
{
    /// <summary>A dearer product: now, with a prorated charge for the days left of what is paid.</summary>
    public const string Upgrade = nameof(Upgrade);
    /// <summary>A product not dearer: from the first period not yet charged, at its price.</summary>
    public const string Downgrade = nameof(Downgrade);
    /// <summary>The current product again while a downgrade is scheduled: the scheduled change is taken back.</summary>
    public const string Withdraw = nameof(Withdraw);
}

/// <summary>What a change would do, before VAT: kind, first day, and for an upgrade the prorated periods.</summary>
public sealed record PlanQuote(string Kind, ServicePlan From, ServicePlan To, DateOnly EffectiveOn, int? FromPeriod, IReadOnlyList<ProratedPeriod> Periods)
{
    public long NetMinor => Periods.Sum(p => p.NetMinor);
}

/// <summary>Why a change is refused: 409 with the reason the customer reads.</summary>
public sealed record PlanRefusal(string Title, string Detail);

/// <summary>
/// The rules of a plan change (issue 17), decided on the locked service for the business day <c>today</c>. A live,
/// paid-up service not being cancelled may change. Dearer = upgrade now, prorated to the end of what is paid; not
/// dearer = downgrade from the first period not yet charged, so what was paid is never partly given back (no refunds,
/// rule 11). Refused with a reason: not live yet, cancellation scheduled, dunning (an unpaid invoice), ended, the
/// product it already runs, another currency, a renewal under way.
/// </summary>
public static class PlanChangeRules
{
    /// <summary>The most extra dedicated IPs one service may add (the pool is shared by every customer).</summary>
    public const int MaxExtraIps = 32;

    public static ServicePlan Current(ChangeableService s) => new(s.ProductId, s.ProductName ?? s.ProductId, s.MonthlyPriceMinor, s.DedicatedIps, s.ExtraIps);

    public static ServicePlan? Scheduled(ChangeableService s) => s.ScheduledProductId is { } id
        ? new ServicePlan(id, s.ScheduledProductName ?? id, s.ScheduledPriceMinor!.Value, s.ScheduledIps!.Value, s.ScheduledExtraIps ?? 0)
        : null;

    /// <summary>The product with <paramref name="extraIps"/> extra dedicated IPs at the add-on's price.</summary>
    public static ServicePlan Of(BilledProduct p, int extraIps) =>
        new(p.Id, p.Name, p.MonthlyPriceMinor + extraIps * (p.ExtraIpPriceMinor ?? 0), p.DedicatedIps + extraIps, extraIps);

    public static PlanRefusal? Refusal(ChangeableService s, BilledProduct target, int extraIps, DateOnly today)
    {
        if (s.BillingStatus is "Terminated" or "Ended") return new("Service ended", "The service has ended; order a new one instead.");
        if (s.BillingStatus == "Unpaid" || s.LiveAt is null)
        {
            return new("Service not live yet", "The plan can change once the service is live (set up and its reverse DNS seen); until then nothing can be added to it.");
        }
        if (s.LastDay is { } lastDay)
        {
            return new("Cancellation scheduled",
                $"The service is cancelled and ends on {lastDay:yyyy-MM-dd}. Withdraw the cancellation (DELETE /api/services/{s.ServiceId}/cancellation) to change its plan.");
        }
        if (s.BillingStatus is "PastDue" or "Suspended")
        {
            var start = BillingCalendar.PeriodStart(s.Calendar, s.NextPeriod);
            return new("Invoice unpaid",
                $"The invoice for the period from {start:yyyy-MM-dd} is unpaid. Pay it (or replace the card) first; the plan can change once the service is paid up.");
        }
        if (extraIps > 0 && target.ExtraIpPriceMinor is null) return new("No extra IPs", $"{target.Name} takes no extra dedicated IPs.");
        if (!string.Equals(target.Currency, s.Currency, StringComparison.OrdinalIgnoreCase))
        {
            return new("Other currency", $"{target.Name} is priced in {target.Currency} and the service is billed in {s.Currency}.");
        }
        if (CancellationPolicy.CurrentPeriodIndex(s.Calendar, today) >= s.NextPeriod)
        {
            return new("Renewal under way", "The renewal of the current period is being charged; try again in a few minutes.");
        }
        var scheduled = Scheduled(s);
        var wanted = Of(target, extraIps);
        var current = IsCurrent(s, target, extraIps);
        if (current && scheduled is null) return new("Same plan", $"The service already runs on {wanted.DisplayName}.");
        if (scheduled is not null && target.Id == scheduled.ProductId && extraIps == scheduled.ExtraIps)
        {
            return new("Already scheduled", $"The service moves to {wanted.DisplayName} on {ScheduledOn(s):yyyy-MM-dd} already.");
        }
        if (scheduled is not null && s.NextPeriod > s.ScheduledFromPeriod)
        {
            return new("Change already charged",
                $"The move to {scheduled.DisplayName} on {ScheduledOn(s):yyyy-MM-dd} is already charged with that period; change the plan again from that day.");
        }
        return null;
    }

    /// <summary>What the change does; call only when <see cref="Refusal"/> found nothing.</summary>
    public static PlanQuote Quote(ChangeableService s, BilledProduct target, int extraIps, DateOnly today)
    {
        var from = Current(s);
        var to = Of(target, extraIps);
        if (IsCurrent(s, target, extraIps)) return new(PlanChangeKind.Withdraw, Scheduled(s)!, from, today, null, []);
        if (to.MonthlyPriceMinor > s.MonthlyPriceMinor)
        {
            return new(PlanChangeKind.Upgrade, from, to, today, null,
                Proration.Upgrade(s.Calendar, s.NextPeriod, today, s.MonthlyPriceMinor, to.MonthlyPriceMinor));
        }
        return new(PlanChangeKind.Downgrade, from, to, BillingCalendar.PeriodStart(s.Calendar, s.NextPeriod), s.NextPeriod, []);
    }

    private static bool IsCurrent(ChangeableService s, BilledProduct target, int extraIps) => target.Id == s.ProductId && extraIps == s.ExtraIps;

    public static DateOnly ScheduledOn(ChangeableService s) => BillingCalendar.PeriodStart(s.Calendar, s.ScheduledFromPeriod!.Value);
}
