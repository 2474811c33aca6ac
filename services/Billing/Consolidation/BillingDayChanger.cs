using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Consolidation;

/// <summary>How one service moves onto the common day. <paramref name="TransitionEnd"/> is the last day of the shortened period (included).</summary>
/// <param name="TransitionNet">What the shortened period costs, net, charged on its usual charge date; null when no period is shortened.</param>
public sealed record ServiceMove(Guid ServiceId, string Plan, DateOnly? TransitionStart, DateOnly? TransitionEnd, int? TransitionDays, int? MonthDays,
    decimal? TransitionNet, DateOnly FirstCommonPeriodStart);

/// <param name="Day">The common billing day, 1-28; null until chosen.</param>
/// <param name="Eligible">Rule 8: approved for bank transfer and more than one running service.</param>
/// <param name="Services">The move of every running service: what choosing <paramref name="Day"/> does (preview) or did.</param>
public sealed record BillingDay(int? Day, bool Eligible, string? Reason, IReadOnlyList<ServiceMove> Services);

public sealed record BillingDayRefusal(string Title, string Detail);

/// <summary>
/// Choosing the common billing day of a customer's services (issue 17, section 5). Only customers rule 8 lets pay
/// by bank transfer may; it is chosen once (each service's calendar keeps one move; the account manager can change it
/// later by hand). Every running service without a cancellation moves (see <see cref="CommonBillingDay"/>); services
/// ordered later join it from their first period. Nothing already charged changes, so nothing is refunded.
/// </summary>
public sealed class BillingDayChanger(TimeProvider time)
{
    public async Task<BillingDay> CurrentAsync(UnitOfWork work, Guid customerId, int? preview)
    {
        var day = await ConsolidationRepository.FindDayAsync(work, customerId);
        var eligible = await BankTransferRepository.AppliesAsync(work, customerId);
        var services = await ConsolidationRepository.RunningForUpdateAsync(work, customerId);
        var moves = day is null && preview is { } wanted ? Moves(services, wanted) : Current(services);
        return new BillingDay(day, eligible, eligible ? null : NotEligible, moves);
    }

    /// <returns>The refusal, or null when the day was set and the services moved (commit the unit of work).</returns>
    public async Task<BillingDayRefusal?> ChooseAsync(UnitOfWork work, Guid customerId, int day)
    {
        if (await ConsolidationRepository.FindDayForUpdateAsync(work, customerId) is { } chosen)
        {
            return chosen == day ? null : new BillingDayRefusal("Billing day already chosen",
                $"Your services renew on day {chosen} of each month. The day can be chosen once here; your account manager can move it.");
        }
        if (!await BankTransferRepository.AppliesAsync(work, customerId)) return new BillingDayRefusal("Not available", NotEligible);
        var services = await ConsolidationRepository.RunningForUpdateAsync(work, customerId);
        if (services.FirstOrDefault(s => s.BillingStatus is "PastDue" or "Suspended") is { } unpaid)
        {
            return new BillingDayRefusal("Invoice unpaid",
                $"The invoice for the period from {unpaid.Calendar.PeriodStart(unpaid.NextPeriod):yyyy-MM-dd} of service {unpaid.ServiceId} is unpaid; pay it first.");
        }
        foreach (var service in Moving(services))
        {
            await ConsolidationRepository.AnchorAsync(work, service.ServiceId, CommonBillingDay.Move(service.Calendar, service.NextPeriod, day), day);
        }
        await ConsolidationRepository.SetDayAsync(work, customerId, day, time.GetUtcNow());
        return null;
    }

    private const string NotEligible =
        "One billing day for all services is for customers who pay by bank transfer: more than one service and approved by their account manager (rule 8).";

    // A service with a cancellation scheduled ends on its own calendar; one not paid for yet has nothing to move.
    private static IEnumerable<DueService> Moving(IEnumerable<DueService> services) =>
        services.Where(s => s.BillingStatus == "Active" && s.LastDay is null && s.NextPeriod >= 1 && !s.Calendar.IsAnchored);

    private static IReadOnlyList<ServiceMove> Moves(IEnumerable<DueService> services, int day) =>
        Moving(services).Select(s => Describe(s, CommonBillingDay.Move(s.Calendar, s.NextPeriod, day).Apply(s.OrderedOn))).ToList();

    private static IReadOnlyList<ServiceMove> Current(IEnumerable<DueService> services) =>
        services.Where(s => s.Calendar.IsAnchored).Select(s => Describe(s, s.Calendar)).ToList();

    private static ServiceMove Describe(DueService s, ServiceCalendar calendar)
    {
        var first = calendar.AnchorPeriod!.Value;
        var transition = first - 1;
        var plan = s.PlanOf(transition);
        return calendar.IsTransition(transition) && calendar.Days(transition) != calendar.MonthDays(transition)
            ? new ServiceMove(s.ServiceId, plan.DisplayName, calendar.PeriodStart(transition), calendar.PeriodEnd(transition).AddDays(-1),
                calendar.Days(transition), calendar.MonthDays(transition), calendar.PeriodPrice(transition, plan.MonthlyPriceMinor) / 100m, calendar.AnchorOn!.Value)
            : new ServiceMove(s.ServiceId, plan.DisplayName, null, null, null, null, null, calendar.AnchorOn!.Value);
    }
}
