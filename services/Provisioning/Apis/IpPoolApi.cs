using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Provisioning.Data;
using ProMTA.Provisioning.Domain;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Provisioning.Apis;

public sealed record IpPoolResponse(IReadOnlyList<IpBlockSummary> Items, int Total);
public sealed record AddIpBlockRequest(string? Cidr, string? Note);
public sealed record BlockAddressRequest(string? Reason);

/// <summary>
/// The dedicated-IP pool for operators: its blocks with the count of addresses per state, new blocks, and blocking an
/// address (blocklisted, reserved) so it is never handed out, or releasing it again.
/// </summary>
public static class IpPoolApi
{
    public static IEndpointRouteBuilder MapIpPoolApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/provisioning").RequireAuthorization(StaffPolicy.OperatorName);
        admin.MapGet("/ip-pool", GetPool);
        admin.MapPost("/ip-blocks", AddBlock);
        admin.MapPut("/ips/{address}/block", Block);
        admin.MapDelete("/ips/{address}/block", Unblock);
        return app;
    }

    private static async Task<IpPoolResponse> GetPool(Database db, CancellationToken ct)
    {
        var blocks = await IpBlocks.SummaryAsync(db, ct);
        return new IpPoolResponse(blocks, blocks.Count);
    }

    private static async Task<Results<Created<IpBlockSummary>, ValidationProblem, ProblemHttpResult>> AddBlock(
        AddIpBlockRequest request, Database db, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation().Optional("note", request.Note, 200);
        IpBlockRange.TryParse(request.Cidr, out var range, out var problem);
        validation.Check("cidr", range is not null, problem);
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);

        await using var work = await db.BeginAsync(ct);
        if (!await IpBlocks.AddAsync(work, range!.Cidr, range.Hosts, request.Note, time.GetUtcNow()))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Overlapping block",
                detail: $"{range.Cidr} overlaps a block already in the pool.");
        }
        await work.CommitAsync(ct);
        var added = (await IpBlocks.SummaryAsync(db, ct)).Single(b => b.Cidr == range.Cidr);
        return TypedResults.Created($"/api/admin/provisioning/ip-pool", added);
    }

    private static async Task<Results<NoContent, ValidationProblem, NotFound, ProblemHttpResult>> Block(
        string address, BlockAddressRequest request, Database db, CancellationToken ct)
    {
        var validation = new Validation().Required("reason", request.Reason, 200);
        validation.Check("address", IsV4(address), "address must be an IPv4 address.");
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        return await ChangeAsync(db, work => IpBlocks.BlockAsync(work, address, request.Reason!.Trim()),
            $"{address} is allocated to a live service; it can be blocked once that service is decommissioned.", ct);
    }

    private static async Task<Results<NoContent, ValidationProblem, NotFound, ProblemHttpResult>> Unblock(string address, Database db, CancellationToken ct)
    {
        if (!IsV4(address)) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["address"] = ["address must be an IPv4 address."] });
        return await ChangeAsync(db, work => IpBlocks.UnblockAsync(work, address), $"{address} is not blocked.", ct);
    }

    private static async Task<Results<NoContent, ValidationProblem, NotFound, ProblemHttpResult>> ChangeAsync(
        Database db, Func<UnitOfWork, Task<AddressChange>> change, string conflict, CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        switch (await change(work))
        {
            case AddressChange.NotFound:
                return TypedResults.NotFound();
            case AddressChange.WrongState:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Address state does not allow this", detail: conflict);
            default:
                await work.CommitAsync(ct);
                return TypedResults.NoContent();
        }
    }

    private static bool IsV4(string address) =>
        IPAddress.TryParse(address, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && ip.ToString() == address;
}
