using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ProMTA.Contracts.Ordering;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Ordering.Apis;

public sealed record ReviewDecision(string? Decision, DateTimeOffset? SetupDeadline, string? Reason);
public sealed record ReviewOutcome(Guid OrderId, string Status);

/// <summary>
/// Rule 2: an order with special requirements waits, after payment, for an account manager. Accepting sets the
/// setup deadline Provisioning honours (at most Review:ExtraWorkingDays past the usual working day); rejecting cancels
/// the order and Billing refunds the first charge. An account manager sees and decides only their own customers'
/// orders (another's is a 404, as on Billing's staff routes); an operator sees all.
/// </summary>
public static class ReviewApi
{
    public static RouteGroupBuilder MapReviewApi(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/admin/orders").RequireAuthorization(StaffPolicy.Name);
        admin.MapGet("/in-review", ListAsync);
        admin.MapGet("/{orderId:guid}/review", GetAsync);
        admin.MapPost("/{orderId:guid}/review", DecideAsync);
        return api;
    }

    public static async Task<Ok<PagedList<OrderInReview>>> ListAsync(
        [AsParameters] PageRequest pageRequest, ClaimsPrincipal user, OrderRepository orders, CancellationToken ct)
    {
        var paging = pageRequest.Paging;
        var (items, total) = await orders.InReviewAsync(user.AccountManagerScope(), paging.Page, paging.PageSize, ct);
        return TypedResults.Ok(new PagedList<OrderInReview>(items, total, paging.Page, paging.PageSize));
    }

    public static async Task<Results<Ok<OrderInReview>, NotFound>> GetAsync(Guid orderId, ClaimsPrincipal user, OrderRepository orders, CancellationToken ct) =>
        await orders.FindInReviewAsync(user.AccountManagerScope(), orderId, ct) is { } order ? TypedResults.Ok(order) : TypedResults.NotFound();

    public static async Task<Results<Ok<ReviewOutcome>, ValidationProblem, NotFound, ProblemHttpResult>> DecideAsync(
        Guid orderId, ReviewDecision request, ClaimsPrincipal user, Database db, IOptions<ReviewOptions> review, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var accept = request.Decision == "accept";
        var latest = review.Value.LatestDeadline(now);
        var validation = new Validation()
            .Check("decision", request.Decision is "accept" or "reject", "decision must be \"accept\" or \"reject\".")
            .Check("setupDeadline", !accept || request.SetupDeadline > now, "setupDeadline must be a future time when accepting.")
            .Check("setupDeadline", !accept || !(request.SetupDeadline > latest),
                $"setupDeadline may be at most {review.Value.ExtraWorkingDays} working days after the usual one: {latest:yyyy-MM-dd HH:mm} UTC at the latest.")
            .Check("reason", accept || !string.IsNullOrWhiteSpace(request.Reason), "reason is required when rejecting.")
            .Optional("reason", request.Reason, 2000);
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);

        await using var work = await db.BeginAsync(ct);
        var order = await OrderRepository.LockAsync(work, orderId);
        if (order is null || !await OrderRepository.ManagesAsync(work, user.AccountManagerScope(), order.CustomerId)) return TypedResults.NotFound();
        if (order.Status != OrderStatus.InReview)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not in review",
                detail: $"Order {orderId} is {order.Status}; only orders in review can be decided.");
        }
        var reviewer = user.CustomerId();
        if (accept)
        {
            await OrderRepository.AppendTimelineAsync(work, orderId, OrderStatus.InReview, now,
                $"Special requirements accepted; setup by {request.SetupDeadline:yyyy-MM-dd HH:mm} UTC");
            await work.PublishAsync(new OrderReviewAccepted
            {
                OrderId = orderId, ServiceId = order.ServiceId, SetupDeadline = request.SetupDeadline!.Value, ReviewerId = reviewer, ReviewedAt = now,
            });
        }
        else
        {
            await OrderRepository.AdvanceAsync(work, orderId, OrderStatus.Cancelled, now, $"Special requirements rejected: {request.Reason!.Trim()}");
            await ServiceRepository.MarkEndedAsync(work, order.ServiceId, now);
            await work.PublishAsync(new OrderReviewRejected
            {
                OrderId = orderId, ServiceId = order.ServiceId, Reason = request.Reason!.Trim(), ReviewerId = reviewer, ReviewedAt = now,
            });
        }
        await work.CommitAsync(ct);
        return TypedResults.Ok(new ReviewOutcome(orderId, accept ? OrderStatus.InReview : OrderStatus.Cancelled));
    }
}
