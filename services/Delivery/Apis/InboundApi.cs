using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Delivery.Apis;

public sealed record ForwardingRequest(string? Address);
public sealed record ForwardingResponse(Guid ServiceId, string Domain, string Address);

/// <summary>What the inbound MX (docs/inbound.md) does with mail to a customer's domains, and what staff read of it.</summary>
public static class InboundApi
{
    public static IEndpointRouteBuilder MapInboundApi(this IEndpointRouteBuilder app)
    {
        var services = app.MapGroup("/api/services/{serviceId:guid}/domains/{domain}").RequireAuthorization();
        services.MapPut("/forwarding", SetForwarding);
        services.MapDelete("/forwarding", RemoveForwarding);
        app.MapGet("/api/admin/inbound", ListInbound).RequireAuthorization(StaffPolicy.OperatorName);
        return app;
    }

    /// <summary>Ordinary mail to <paramref name="domain"/> (replies, postmaster@, abuse@) is forwarded to this address from now on.</summary>
    private static async Task<Results<Ok<ForwardingResponse>, ValidationProblem, NotFound>> SetForwarding(
        Guid serviceId, string domain, ForwardingRequest request, ClaimsPrincipal user, Database db, TimeProvider time, CancellationToken ct)
    {
        // Ownership first: another customer's service is 404 whatever the body says.
        if (!await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct)) return TypedResults.NotFound();
        var validation = new Validation().Email("address", request.Address);
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        if (!await OwnsDomainAsync(db, serviceId, domain, user, ct)) return TypedResults.NotFound();
        var address = request.Address!.Trim();
        await DomainForwarding.SetAsync(db, serviceId, domain, address, time.GetUtcNow(), ct);
        return TypedResults.Ok(new ForwardingResponse(serviceId, DomainForwarding.Normalize(domain), address));
    }

    /// <summary>Ordinary mail is kept in the inbox only.</summary>
    private static async Task<Results<NoContent, NotFound>> RemoveForwarding(Guid serviceId, string domain, ClaimsPrincipal user, Database db, CancellationToken ct)
    {
        if (!await OwnsDomainAsync(db, serviceId, domain, user, ct)) return TypedResults.NotFound();
        return await DomainForwarding.RemoveAsync(db, serviceId, domain, ct) ? TypedResults.NoContent() : TypedResults.NotFound();
    }

    /// <summary>Another customer's service, or a domain the service does not host, is not found (never "forbidden": no probing).</summary>
    private static async Task<bool> OwnsDomainAsync(Database db, Guid serviceId, string domain, ClaimsPrincipal user, CancellationToken ct) =>
        await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct) && await HostedDomains.ServiceOfAsync(db, domain, ct) == serviceId;

    /// <summary>Operators: what arrived, newest first; ?kind=dsn|arf|mail, ?mailbox=postmaster|abuse, ?serviceId=.</summary>
    private static async Task<Results<Ok<PagedList<InboundMessage>>, ValidationProblem>> ListInbound(
        string? kind, string? mailbox, Guid? serviceId, [AsParameters] PageRequest pageRequest, Database db, CancellationToken ct)
    {
        var validation = new Validation()
            .Check("kind", kind is null || InboundKind.All.Contains(kind), $"kind must be one of {string.Join(", ", InboundKind.All)}.")
            .Check("mailbox", mailbox is null || RoleMailbox.All.Contains(mailbox), $"mailbox must be one of {string.Join(", ", RoleMailbox.All)}.");
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        var paging = pageRequest.Paging;
        var (items, total) = await InboundMessages.ListAsync(db, kind, mailbox, serviceId, paging.Page, paging.PageSize, ct);
        return TypedResults.Ok(new PagedList<InboundMessage>(items, total, paging.Page, paging.PageSize));
    }
}
