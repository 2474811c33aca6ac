using System.Security.Claims;
using ProMTA.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Ordering.Apis;

public sealed record DemoRequest(string? Name, string? Email, string? Company, string[]? PreferredTimes);
public sealed record DemoRequestConfirmation(Guid Id, string Status, string Message);
public sealed record DemoSchedule(DateTimeOffset? At);

/// <summary>Rule 4: a prospect asks for a live demo (public); account managers see the requests.</summary>
public static class DemoRequestsApi
{
    public const int MaxPreferredTimes = 10;

    public static RouteGroupBuilder MapDemoRequestsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/demo-requests", RequestAsync);
        api.MapGet("/admin/demo-requests", ListAsync).RequireAuthorization(StaffPolicy.Name);
        api.MapPost("/admin/demo-requests/{id:guid}/schedule", ScheduleAsync).RequireAuthorization(StaffPolicy.Name);
        api.MapPost("/admin/demo-requests/{id:guid}/done", DoneAsync).RequireAuthorization(StaffPolicy.Name);
        return api;
    }

    public static async Task<Results<Created<DemoRequestConfirmation>, ValidationProblem>> RequestAsync(
        DemoRequest request, DemoRequestRepository demos, TimeProvider time, CancellationToken ct)
    {
        var times = request.PreferredTimes ?? [];
        var validation = new Validation()
            .Required("name", request.Name, 200)
            .Email("email", request.Email)
            .Optional("company", request.Company, 200)
            .Check("preferredTimes", times.Length is > 0 and <= MaxPreferredTimes, $"preferredTimes needs 1 to {MaxPreferredTimes} entries.")
            .Check("preferredTimes", times.All(t => !string.IsNullOrWhiteSpace(t) && t.Length <= 100), "each preferred time is 1 to 100 characters.");
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);

        var row = new DemoRequestRow
        {
            Id = Guid.CreateVersion7(),
            Name = request.Name!.Trim(),
            Email = request.Email!.Trim(),
            Company = string.IsNullOrWhiteSpace(request.Company) ? null : request.Company.Trim(),
            PreferredTimes = [.. times.Select(t => t.Trim())],
            CreatedAt = time.GetUtcNow(),
        };
        await demos.AddAsync(row, ct);
        return TypedResults.Created($"/api/admin/demo-requests/{row.Id}", new DemoRequestConfirmation(row.Id, row.Status is "" ? DemoRequestStatus.Received : row.Status,
            "Thank you: our sales team will confirm one of your preferred times by email. No account is created for a demo."));
    }

    public static async Task<Ok<PagedList<DemoRequestRow>>> ListAsync([AsParameters] PageRequest pageRequest, DemoRequestRepository demos, CancellationToken ct)
    {
        var paging = pageRequest.Paging;
        var (items, total) = await demos.ListAsync(paging.Page, paging.PageSize, ct);
        return TypedResults.Ok(new PagedList<DemoRequestRow>(items, total, paging.Page, paging.PageSize));
    }

    /// <summary>Sales set (or move) the demo's time; a done request is a 409.</summary>
    public static async Task<Results<Ok<DemoRequestRow>, ValidationProblem, NotFound, ProblemHttpResult>> ScheduleAsync(
        Guid id, DemoSchedule request, ClaimsPrincipal user, DemoRequestRepository demos, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var validation = new Validation()
            .Check("at", request.At is not null, "at is required (ISO 8601 with an offset).")
            .Check("at", request.At is null || request.At > now, "at must be in the future.")
            .Check("at", request.At is null || request.At < now.AddYears(1), "at must be within a year.");
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        if (await demos.ScheduleAsync(id, request.At!.Value, user.CustomerId(), now, ct) is { } scheduled) return TypedResults.Ok(scheduled);
        return await demos.FindAsync(id, ct) is null ? TypedResults.NotFound() : AlreadyDone();
    }

    public static async Task<Results<Ok<DemoRequestRow>, NotFound, ProblemHttpResult>> DoneAsync(
        Guid id, ClaimsPrincipal user, DemoRequestRepository demos, TimeProvider time, CancellationToken ct)
    {
        if (await demos.DoneAsync(id, user.CustomerId(), time.GetUtcNow(), ct) is { } done) return TypedResults.Ok(done);
        return await demos.FindAsync(id, ct) is null ? TypedResults.NotFound() : AlreadyDone();
    }

    private static ProblemHttpResult AlreadyDone() =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Demo request done", detail: "This demo request is marked done; it cannot change any more.");
}
