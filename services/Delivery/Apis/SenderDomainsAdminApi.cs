using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Domains;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Delivery.Apis;

public sealed record SenderDomainRequest(string? Domain, string? Reason);
public sealed record SenderDomainsResponse(Guid ServiceId, IReadOnlyList<SenderDomainGrant> Domains, IReadOnlyList<SenderDomainAuditEntry> Audit);

/// <summary>
/// Operators may let a service send as a domain it has not delegated to us (issue 14: e.g. a brand hosted elsewhere
/// whose owner vouched for it). Every grant and revocation is kept with who, when and why.
/// </summary>
public static class SenderDomainsAdminApi
{
    public static IEndpointRouteBuilder MapSenderDomainsAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/services/{serviceId:guid}/sender-domains").RequireAuthorization(StaffPolicy.OperatorName);
        admin.MapGet("", ListAsync);
        admin.MapPost("", AllowAsync);
        admin.MapDelete("/{domain}", RevokeAsync);
        return app;
    }

    private static async Task<Ok<SenderDomainsResponse>> ListAsync(Guid serviceId, Database db, CancellationToken ct) =>
        TypedResults.Ok(new SenderDomainsResponse(serviceId, await SendingDomains.GrantsAsync(db, serviceId, ct), await SendingDomains.AuditTrailAsync(db, serviceId, ct)));

    private static async Task<Results<Ok<SenderDomainsResponse>, ValidationProblem, NotFound>> AllowAsync(
        Guid serviceId, SenderDomainRequest request, ClaimsPrincipal user, Database db, TimeProvider time, CancellationToken ct)
    {
        var domain = DomainName.Normalize(request.Domain);
        var validation = new Validation()
            .Check("domain", domain is not null && domain.Contains('.') && !DomainName.IsIpLiteral(request.Domain ?? ""), "domain must be a domain name such as example.com.")
            .Required("reason", request.Reason, 2000);
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        if (await RelayAccounts.FindAsync(db, serviceId, ct) is null) return TypedResults.NotFound();

        await using (var work = await db.BeginAsync(ct))
        {
            var now = time.GetUtcNow();
            if (await SendingDomains.AddAsync(work, serviceId, domain!, SendingDomainSource.Staff, now, user.CustomerId(), request.Reason!.Trim()))
            {
                await SendingDomains.AuditAsync(work, serviceId, domain!, "allowed", user.CustomerId(), request.Reason!.Trim(), now);
            }
            await work.CommitAsync(ct);
        }
        return await ListAsync(serviceId, db, ct);
    }

    private static async Task<Results<NoContent, NotFound>> RevokeAsync(
        Guid serviceId, string domain, ClaimsPrincipal user, Database db, TimeProvider time, CancellationToken ct)
    {
        if (DomainName.Normalize(domain) is not { } name) return TypedResults.NotFound();
        await using var work = await db.BeginAsync(ct);
        if (!await SendingDomains.RemoveAsync(work, serviceId, name, SendingDomainSource.Staff)) return TypedResults.NotFound();
        await SendingDomains.AuditAsync(work, serviceId, name, "revoked", user.CustomerId(), null, time.GetUtcNow());
        await work.CommitAsync(ct);
        return TypedResults.NoContent();
    }
}
