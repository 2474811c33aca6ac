using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ProMTA.Ordering.Data;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Ordering.Apis;

public sealed record StaffCustomerView(
    Guid Id, string Email, string Name, bool EmailVerified, DateTimeOffset CreatedAt, Guid? AccountManagerId,
    IReadOnlyList<ServiceDto> Services, IReadOnlyList<OrderSummaryDto> Orders, IReadOnlyList<CustomerNote> Notes);
public sealed record NewCustomerNote(string? Text);

/// <summary>
/// Staff open one customer: profile, services, orders and staff notes (invoices come from Billing's
/// GET /api/admin/customers/{id}/invoices). Scoped like every staff route: an account manager sees their own
/// customers only (anyone else's is a 404, as if it did not exist); operators see every customer.
/// </summary>
public static class StaffCustomerApi
{
    public const int MaxListed = 100;
    public const int MaxNoteLength = 4000;

    public static RouteGroupBuilder MapStaffCustomerApi(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/admin/customers/{customerId:guid}").RequireAuthorization(StaffPolicy.Name);
        admin.MapGet("", GetAsync);
        admin.MapPost("/notes", AddNoteAsync);
        return api;
    }

    public static async Task<Results<Ok<StaffCustomerView>, NotFound>> GetAsync(
        Guid customerId, ClaimsPrincipal user, CustomerRepository customers, ServiceRepository services, OrderRepository orders,
        IOptions<RelayEndpointOptions> relay, ServiceDefaults.Data.Database db, CancellationToken ct)
    {
        var customer = await customers.FindByIdAsync(customerId, ct);
        if (customer is null || customer.Role != Roles.Customer) return TypedResults.NotFound();
        await using var work = await db.BeginAsync(ct);
        if (!await OrderRepository.ManagesAsync(work, user.AccountManagerScope(), customerId)) return TypedResults.NotFound();
        var notes = await CustomerNotes.ListAsync(work, customerId, MaxListed);
        var (serviceRows, _) = await services.ListAsync(customerId, 1, MaxListed, ct);
        var (orderRows, _) = await orders.ListAsync(customerId, 1, MaxListed, ct);
        return TypedResults.Ok(new StaffCustomerView(customer.Id, await customers.OwnerEmailAsync(customerId, ct) ?? customer.Email, customer.Name, customer.EmailVerifiedAt is not null,
            await customers.CreatedAtAsync(customerId, ct), await customers.AccountManagerAsync(customerId, ct),
            [.. serviceRows.Select(s => ServicesApi.ToDto(s, relay.Value))],
            [.. orderRows.Select(o => new OrderSummaryDto(o.Id, o.ServiceId, o.ProductId, o.Status, o.CreatedAt))], notes));
    }

    public static async Task<Results<Created<CustomerNote>, ValidationProblem, NotFound>> AddNoteAsync(
        Guid customerId, NewCustomerNote request, ClaimsPrincipal user, CustomerRepository customers, ServiceDefaults.Data.Database db,
        TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation().Required("text", request.Text, MaxNoteLength);
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        var customer = await customers.FindByIdAsync(customerId, ct);
        var author = await customers.FindByIdAsync(user.CustomerId(), ct);
        if (customer is null || customer.Role != Roles.Customer || author is null) return TypedResults.NotFound();
        await using var work = await db.BeginAsync(ct);
        if (!await OrderRepository.ManagesAsync(work, user.AccountManagerScope(), customerId)) return TypedResults.NotFound();
        var note = new CustomerNote(Guid.CreateVersion7(), request.Text!.Trim(), author.Id, author.Name, time.GetUtcNow());
        await CustomerNotes.AddAsync(work, note.Id, customerId, author.Id, note.Text, note.CreatedAt);
        await work.CommitAsync(ct);
        return TypedResults.Created($"/api/admin/customers/{customerId}/notes/{note.Id}", note);
    }
}
