using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ProMTA.Contracts.Ordering;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domains;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Ordering.Apis;

public sealed record PlaceOrderRequest(string? ProductId, string? PaymentMethodId, string? SendingDomain, string? SpecialRequirements);
public sealed record PlaceOrderResponse(Guid OrderId, Guid ServiceId, string Status);
public sealed record TimelineEntryDto(string Status, DateTimeOffset At, string? Detail);
public sealed record OrderDto(Guid OrderId, Guid ServiceId, string ProductId, string Status, DateTimeOffset CreatedAt, IReadOnlyList<TimelineEntryDto> Timeline);
public sealed record OrderSummaryDto(Guid OrderId, Guid ServiceId, string ProductId, string Status, DateTimeOffset CreatedAt);

public static partial class OrdersApi
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public static RouteGroupBuilder MapOrdersApi(this RouteGroupBuilder api)
    {
        var orders = api.MapGroup("/orders").RequireAuthorization();
        orders.MapPost("", PlaceAsync);
        orders.MapGet("", ListAsync);
        orders.MapGet("/{orderId:guid}", GetAsync);
        return api;
    }

    /// <summary>
    /// Places an order: the order, its service, the timeline's first entry and OrderPlaced commit together.
    /// The Idempotency-Key makes a retried request return the first order instead of placing a second one.
    /// </summary>
    public static async Task<Results<Created<PlaceOrderResponse>, ValidationProblem, ProblemHttpResult>> PlaceAsync(
        PlaceOrderRequest request, [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey, ClaimsPrincipal user,
        OrderRepository orders, ProductRepository products, CustomerRepository customers, DomainRules domainRules, TimeProvider time,
        CancellationToken ct)
    {
        var validation = new Validation()
            .Required(IdempotencyHeader, idempotencyKey, 255)
            .Required("productId", request.ProductId, 100)
            .Required("paymentMethodId", request.PaymentMethodId, 255)
            .Check("paymentMethodId", request.PaymentMethodId is null || PaymentMethodId().IsMatch(request.PaymentMethodId),
                "paymentMethodId must be a Stripe PaymentMethod id (pm_...).")
            .Optional("sendingDomain", request.SendingDomain, 1000)
            .Optional("specialRequirements", request.SpecialRequirements, 4000);
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);

        var customerId = user.CustomerId();
        var requestHash = SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{request.ProductId}\n{request.PaymentMethodId}\n{request.SendingDomain}\n{request.SpecialRequirements}"));
        if (await orders.FindByIdempotencyKeyAsync(customerId, idempotencyKey!, ct) is { } existing)
        {
            return Replay(existing, requestHash);
        }

        var product = await products.FindAsync(request.ProductId!, ct);
        if (product is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["productId"] = [$"No product '{request.ProductId}'; see GET /api/products."] });
        }
        // Issue 14: a domain that can never be a customer's is refused before anything is written (422).
        string? sendingDomain = null;
        if (!string.IsNullOrWhiteSpace(request.SendingDomain))
        {
            var (domain, refusal) = domainRules.Check(request.SendingDomain);
            if (refusal is not null) return Refused(refusal);
            sendingDomain = domain;
        }
        var customer = await customers.FindByIdAsync(customerId, ct)
            ?? throw new InvalidOperationException($"Authenticated customer {customerId} does not exist");

        var now = time.GetUtcNow();
        var specialRequirements = string.IsNullOrWhiteSpace(request.SpecialRequirements) ? null : request.SpecialRequirements.Trim();
        var order = new NewOrder(Guid.CreateVersion7(), Guid.CreateVersion7(), customerId, product.Id, idempotencyKey!, requestHash,
            sendingDomain, specialRequirements, now);
        var placed = new OrderPlaced
        {
            OrderId = order.OrderId,
            ServiceId = order.ServiceId,
            CustomerId = customerId,
            // Billing mails the account's owner: after a hand-over that is no longer the login that opened the account.
            CustomerEmail = await customers.OwnerEmailAsync(customerId, ct) ?? customer.Email,
            CustomerName = customer.Name,
            ProductId = product.Id,
            ProductName = product.Name,
            MonthlyPriceMinor = product.MonthlyPriceMinor,
            Currency = product.Currency,
            DedicatedIps = product.DedicatedIps,
            PaymentMethodId = request.PaymentMethodId!,
            OrderedAt = now,
            SendingDomain = order.SendingDomain,
            HasSpecialRequirements = specialRequirements is not null,
        };
        var (created, conflict) = await orders.TryCreateAsync(order, placed, ct);
        if (conflict is not null) return Refused(conflict);
        if (!created)
        {
            // A concurrent request with the same key won the race: answer with its order.
            var winner = await orders.FindByIdempotencyKeyAsync(customerId, idempotencyKey!, ct)
                ?? throw new InvalidOperationException("Idempotency conflict without an order");
            return Replay(winner, requestHash);
        }
        return TypedResults.Created($"/api/orders/{order.OrderId}", new PlaceOrderResponse(order.OrderId, order.ServiceId, "Placed"));
    }

    private static Results<Created<PlaceOrderResponse>, ValidationProblem, ProblemHttpResult> Replay(OrderRow existing, byte[] requestHash) =>
        existing.RequestHash.AsSpan().SequenceEqual(requestHash)
            ? TypedResults.Created($"/api/orders/{existing.Id}", new PlaceOrderResponse(existing.Id, existing.ServiceId, existing.Status))
            : TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused",
                detail: "This Idempotency-Key was already used for a different order request; use a new key for a new order.");

    private static ProblemHttpResult Refused(DomainRefusal refusal) =>
        TypedResults.Problem(statusCode: refusal.Status, title: refusal.Title, detail: refusal.Detail);

    public static async Task<Results<Ok<OrderDto>, NotFound>> GetAsync(Guid orderId, ClaimsPrincipal user, OrderRepository orders, CancellationToken ct)
    {
        var order = await orders.FindAsync(user.CustomerId(), orderId, ct);
        if (order is null) return TypedResults.NotFound();
        var timeline = await orders.TimelineAsync(order.Id, ct);
        return TypedResults.Ok(new OrderDto(order.Id, order.ServiceId, order.ProductId, order.Status, order.CreatedAt,
            timeline.Select(t => new TimelineEntryDto(t.Status, t.At, t.Detail)).ToList()));
    }

    public static async Task<Ok<PagedList<OrderSummaryDto>>> ListAsync([AsParameters] PageRequest pageRequest, ClaimsPrincipal user, OrderRepository orders, CancellationToken ct)
    {
        var paging = pageRequest.Paging;
        var (items, total) = await orders.ListAsync(user.CustomerId(), paging.Page, paging.PageSize, ct);
        return TypedResults.Ok(new PagedList<OrderSummaryDto>(
            items.Select(o => new OrderSummaryDto(o.Id, o.ServiceId, o.ProductId, o.Status, o.CreatedAt)).ToList(), total, paging.Page, paging.PageSize));
    }

    [GeneratedRegex("^pm_[A-Za-z0-9_]{1,250}$")]
    private static partial Regex PaymentMethodId();
}
