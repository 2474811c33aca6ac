using Microsoft.AspNetCore.Mvc;
using ProMTA.Dns.Data;
using ProMTA.Dns.Monitoring;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Dns.Apis;

public sealed record PendingReverseDns(
    Guid OrderId, Guid ServiceId, IReadOnlyList<string> Ips, DateTimeOffset RequestedAt, int Attempts, DateTimeOffset? LastCheckedAt,
    DateTimeOffset NextCheckAt, string? Missing, bool Overdue, DateTimeOffset? AlertedAt);
public sealed record PendingReverseDnsList(IReadOnlyList<PendingReverseDns> Items, int Total);
public sealed record DriftEvent(Guid ServiceId, string Name, string Type, string Expected, string Found, DateTimeOffset DetectedAt, DateTimeOffset? RepairedAt);

/// <summary>What operators must see of DNS: reverse DNS that has not propagated (overdue past the 24 h window) and drift.</summary>
public static class DnsAdminApi
{
    public static IEndpointRouteBuilder MapDnsAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/dns").RequireAuthorization(StaffPolicy.OperatorName);
        admin.MapGet("/propagation", GetPendingPropagation);
        admin.MapGet("/drift", GetDrift);
        return app;
    }

    /// <summary>Services whose reverse DNS is not seen by every resolver yet, oldest first; overdue ones raised an alert.</summary>
    private static async Task<PendingReverseDnsList> GetPendingPropagation(Database db, ReverseDnsPropagation propagation, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var items = (await propagation.PendingAsync(db, ct)).Select(p => new PendingReverseDns(
            p.OrderId, p.ServiceId, [.. p.EntryList.Select(e => e.Ip)], p.RequestedAt, p.Attempts, p.LastCheckedAt, p.NextCheckAt, p.Missing,
            propagation.IsOverdue(p, now), p.AlertedAt)).ToList();
        return new PendingReverseDnsList(items, items.Count);
    }

    /// <summary>Records found changed in DNS within the last <c>days</c> (default 7), newest first.</summary>
    private static async Task<PagedList<DriftEvent>> GetDrift(
        Database db, TimeProvider time, [FromQuery] int? days, [AsParameters] PageRequest pageRequest, CancellationToken ct)
    {
        var paging = pageRequest.Paging;
        var since = time.GetUtcNow() - TimeSpan.FromDays(Math.Clamp(days ?? 7, 1, 366));
        var (rows, total) = await DriftEvents.SinceAsync(db, since, (paging.Page - 1) * paging.PageSize, paging.PageSize, ct);
        return new PagedList<DriftEvent>(
            [.. rows.Select(r => new DriftEvent(r.ServiceId, r.Name, r.Type, r.Expected, r.Found, r.DetectedAt, r.RepairedAt))], total, paging.Page, paging.PageSize);
    }
}
