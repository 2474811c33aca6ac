using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ProMTA.Contracts.Ordering;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.Ordering.Domains;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Domains;

namespace ProMTA.Ordering.Apis;

public sealed record AddDomainRequest(string? Domain);
public sealed record DmarcPolicyRequest(string? DmarcPolicy);
/// <summary>
/// One sending domain of a service: <c>pending</c> until its delegation to <c>nameservers</c> is seen, then
/// <c>verified</c> with its DKIM selector. <c>instructions</c> says what to set at the registrar. <c>dmarcPolicy</c> is
/// what its _dmarc record publishes (none until the customer chooses; <c>dmarcNotice</c> says what that means).
/// </summary>
public sealed record SendingDomainDto(
    string Domain, string Status, DateTimeOffset ClaimedAt, DateTimeOffset? VerifiedAt, string? DkimSelector, IReadOnlyList<string> Nameservers,
    string Instructions, DateTimeOffset? PendingUntil, string DmarcPolicy, string? DmarcNotice);
public sealed record SendingDomainList(IReadOnlyList<SendingDomainDto> Items, int Total);

/// <summary>
/// Issue 14: a live service's sending domains. Claims go through the same rules and registry as a domain given with
/// the order (422 for a name nobody may hold, 409 for another service's domain or one above or below it); another
/// customer's service answers 404.
/// </summary>
public static class DomainsApi
{
    public static RouteGroupBuilder MapDomainsApi(this RouteGroupBuilder api)
    {
        var domains = api.MapGroup("/services/{serviceId:guid}/domains").RequireAuthorization();
        domains.MapGet("", ListAsync);
        domains.MapPost("", AddAsync);
        domains.MapDelete("/{domain}", RemoveAsync);
        domains.MapPut("/{domain}", SetDmarcPolicyAsync);
        return api;
    }

    public static async Task<Results<Ok<SendingDomainList>, NotFound>> ListAsync(
        Guid serviceId, ClaimsPrincipal user, ServiceRepository services, Database db, IOptions<DomainClaimOptions> options, CancellationToken ct)
    {
        if (await services.FindAsync(user.CustomerId(), serviceId, ct) is null) return TypedResults.NotFound();
        var items = (await DomainClaims.ForServiceAsync(db, serviceId, ct)).Select(c => ToDto(c, options.Value)).ToList();
        return TypedResults.Ok(new SendingDomainList(items, items.Count));
    }

    public static async Task<Results<Created<SendingDomainDto>, ValidationProblem, NotFound, ProblemHttpResult>> AddAsync(
        Guid serviceId, AddDomainRequest request, ClaimsPrincipal user, ServiceRepository services, DomainRules rules, Database db,
        IOptions<DomainClaimOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Domain) || request.Domain.Length > 1000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["domain"] = ["domain is required (at most 1000 characters)."] });
        }
        var customerId = user.CustomerId();
        var service = await services.FindAsync(customerId, serviceId, ct);
        if (service is null) return TypedResults.NotFound();
        if (service.Status == ServiceStatus.Ended)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Service ended", detail: "An ended service cannot get a sending domain.");
        }
        var (domain, refusal) = rules.Check(request.Domain);
        if (refusal is not null) return TypedResults.Problem(statusCode: refusal.Status, title: refusal.Title, detail: refusal.Detail);

        var now = time.GetUtcNow();
        await using var work = await db.BeginAsync(ct);
        await DomainClaims.LockAsync(work);
        if (await DomainClaims.TryClaimAsync(work, domain!, serviceId, customerId, service.OrderId, now) is { } conflict)
        {
            return TypedResults.Problem(statusCode: conflict.Status, title: conflict.Title, detail: conflict.Detail);
        }
        await work.PublishAsync(new SendingDomainClaimed { OrderId = service.OrderId, ServiceId = serviceId, CustomerId = customerId, Domain = domain!, ClaimedAt = now });
        await work.CommitAsync(ct);
        var claim = new DomainClaim { Domain = domain!, ServiceId = serviceId, CustomerId = customerId, OrderId = service.OrderId, Status = DomainClaimStatus.Pending, ClaimedAt = now };
        return TypedResults.Created($"/api/services/{serviceId}/domains/{domain}", ToDto(claim, options.Value));
    }

    public static async Task<Results<NoContent, NotFound>> RemoveAsync(
        Guid serviceId, string domain, ClaimsPrincipal user, ServiceRepository services, Database db, TimeProvider time, CancellationToken ct)
    {
        if (await services.FindAsync(user.CustomerId(), serviceId, ct) is null || DomainName.Normalize(domain) is not { } name) return TypedResults.NotFound();
        var now = time.GetUtcNow();
        await using var work = await db.BeginAsync(ct);
        if (await DomainClaims.ReleaseAsync(work, serviceId, name, ReleaseReason.Removed, now) is not { } claim) return TypedResults.NotFound();
        await DomainClaimRelease.AnnounceAsync(work, claim, ReleaseReason.Removed, now);
        await work.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>The customer's DMARC policy for the domain (none, quarantine, reject); Dns publishes it and its drift job keeps it.</summary>
    public static async Task<Results<Ok<SendingDomainDto>, ValidationProblem, NotFound>> SetDmarcPolicyAsync(
        Guid serviceId, string domain, DmarcPolicyRequest request, ClaimsPrincipal user, ServiceRepository services, Database db,
        IOptions<DomainClaimOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (request.DmarcPolicy is not ("none" or "quarantine" or "reject"))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["dmarcPolicy"] = ["dmarcPolicy must be none, quarantine or reject."] });
        }
        if (await services.FindAsync(user.CustomerId(), serviceId, ct) is null || DomainName.Normalize(domain) is not { } name) return TypedResults.NotFound();
        await using var work = await db.BeginAsync(ct);
        if (await DomainClaims.SetDmarcPolicyAsync(work, serviceId, name, request.DmarcPolicy) is not { } claim) return TypedResults.NotFound();
        await work.PublishAsync(new DmarcPolicyChosen
        {
            OrderId = claim.OrderId, ServiceId = serviceId, Domain = name, Policy = request.DmarcPolicy, ChosenAt = time.GetUtcNow(),
        });
        await work.CommitAsync(ct);
        return TypedResults.Ok(ToDto(claim, options.Value));
    }

    private static SendingDomainDto ToDto(DomainClaim c, DomainClaimOptions options)
    {
        var verified = c.Status == DomainClaimStatus.Verified;
        var nameservers = options.Nameservers;
        var instructions = $"At the registrar of {c.Domain}, set its nameservers (NS records) to {string.Join(" and ", nameservers)} and remove any other. "
            + (verified ? "Delegation was seen: the domain is verified." : "Until we see that delegation the domain is pending: nothing is published for it and the relay does not send as it.");
        return new SendingDomainDto(c.Domain, verified ? "verified" : "pending", c.ClaimedAt, c.VerifiedAt, c.DkimSelector, nameservers, instructions,
            verified ? null : c.ClaimedAt + options.PendingLifetime, c.DmarcPolicy,
            c.DmarcPolicy == "none"
                ? "DMARC policy is none: receivers report but do not act on mail that fails SPF and DKIM. Once only ProMTA sends as this domain, choose quarantine or reject (PUT with { \"dmarcPolicy\": \"reject\" })."
                : null);
    }
}
