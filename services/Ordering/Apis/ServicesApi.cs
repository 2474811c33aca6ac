using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ProMTA.Ordering.Data;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Ordering.Apis;

public sealed record SmtpDto(string Host, int Port, string? Username);

public sealed record ServiceDto(
    Guid ServiceId, Guid OrderId, string ProductId, string Status, IReadOnlyList<string> Ips, string? Hostname, SmtpDto Smtp,
    string RelayMode, int? BillingDay, DateOnly? PaidThrough, DateOnly? EndsOn, DateTimeOffset? SetupDeadline, DateTimeOffset? LiveAt);

/// <summary>Where customers point their mail clients: the relay's public name and submission port.</summary>
public sealed class RelayEndpointOptions
{
    public string Host { get; set; } = "localhost";
    public int Port { get; set; } = 2525;
}

public static class ServicesApi
{
    public static RouteGroupBuilder MapServicesApi(this RouteGroupBuilder api)
    {
        var services = api.MapGroup("/services").RequireAuthorization();
        services.MapGet("", ListAsync);
        services.MapGet("/{serviceId:guid}", GetAsync);
        return api;
    }

    public static async Task<Results<Ok<ServiceDto>, NotFound>> GetAsync(
        Guid serviceId, ClaimsPrincipal user, ServiceRepository services, IOptions<RelayEndpointOptions> relay, CancellationToken ct)
    {
        var service = await services.FindAsync(user.CustomerId(), serviceId, ct);
        return service is null ? TypedResults.NotFound() : TypedResults.Ok(ToDto(service, relay.Value));
    }

    public static async Task<Ok<PagedList<ServiceDto>>> ListAsync(
        [AsParameters] PageRequest pageRequest, ClaimsPrincipal user, ServiceRepository services, IOptions<RelayEndpointOptions> relay, CancellationToken ct)
    {
        var paging = pageRequest.Paging;
        var (items, total) = await services.ListAsync(user.CustomerId(), paging.Page, paging.PageSize, ct);
        return TypedResults.Ok(new PagedList<ServiceDto>(items.Select(s => ToDto(s, relay.Value)).ToList(), total, paging.Page, paging.PageSize));
    }

    internal static ServiceDto ToDto(ServiceRow s, RelayEndpointOptions relay) => new(
        s.Id, s.OrderId, s.ProductId, s.Status, s.Ips, s.Hostname, new SmtpDto(relay.Host, relay.Port, s.SmtpUsername),
        s.RelayMode, s.BillingDay, s.PaidThrough, s.EndsOn, s.SetupDeadline, s.LiveAt);
}
