using ProMTA.ServiceDefaults.Auth;
using Microsoft.Extensions.Options;
using ProMTA.Provisioning.Data;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Provisioning.Apis;

public sealed record SetupAttention(
    Guid OrderId, Guid ServiceId, string Status, string State, DateTimeOffset PaidAt, DateTimeOffset? SetupDeadline, string? Failure);
public sealed record SetupAttentionList(IReadOnlyList<SetupAttention> Items, int Total);

public static class AdminApi
{

    public static IEndpointRouteBuilder MapProvisioningAdminApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/admin/provisioning/overdue", GetOverdue).RequireAuthorization(StaffPolicy.OperatorName);
        return app;
    }

    /// <summary>Setups past or near their deadline (rule 2) or failed, most urgent first. State: Failed, Overdue or DueSoon.</summary>
    private static async Task<SetupAttentionList> GetOverdue(Database db, IOptions<ProvisioningOptions> options, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var rows = await SetupRepository.NeedingAttentionAsync(db, now, options.Value.DueSoonWindow, ct);
        var items = rows.Select(r => new SetupAttention(r.OrderId, r.ServiceId, r.Status,
            r.Status == "Failed" ? "Failed" : r.SetupDeadline is { } d && d > now ? "DueSoon" : "Overdue",
            r.PaidAt, r.SetupDeadline, r.Failure)).ToList();
        return new SetupAttentionList(items, items.Count);
    }
}
