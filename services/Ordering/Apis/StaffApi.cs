using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Http;
using ProMTA.ServiceDefaults.Security;

namespace ProMTA.Ordering.Apis;

public sealed record NewStaffRequest(string? Email, string? Name, string? Password, string? Role);
public sealed record AssignAccountManagerRequest(Guid? AccountManagerId);
public sealed record StaffCreated(Guid Id, string Email, string Role);
public sealed record ProductUpdate(string? Name, string? Description, Money? MonthlyPrice, int? Ips);

/// <summary>
/// Staff: account managers see their own customers; operators see every customer, create staff, assign account
/// managers and edit the catalog.
/// </summary>
public static class StaffApi
{
    private static readonly string[] Currencies = ["EUR", "USD", "GBP"];

    public static RouteGroupBuilder MapStaffApi(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/admin");
        admin.MapGet("/customers", CustomersAsync).RequireAuthorization(StaffPolicy.Name);
        admin.MapPut("/customers/{customerId:guid}/account-manager", AssignAsync).RequireAuthorization(StaffPolicy.OperatorName);
        admin.MapPost("/staff", AddStaffAsync).RequireAuthorization(StaffPolicy.OperatorName);
        admin.MapPost("/staff/{staffId:guid}/disable", DisableStaffAsync).RequireAuthorization(StaffPolicy.OperatorName);
        admin.MapPost("/staff/{staffId:guid}/enable", EnableStaffAsync).RequireAuthorization(StaffPolicy.OperatorName);
        admin.MapPut("/products/{productId}", UpdateProductAsync).RequireAuthorization(StaffPolicy.OperatorName);
        return api;
    }

    public static async Task<Ok<PagedList<CustomerSummary>>> CustomersAsync([AsParameters] PageRequest pageRequest, ClaimsPrincipal user, StaffRepository staff, CancellationToken ct)
    {
        var paging = pageRequest.Paging;
        var (items, total) = await staff.CustomersAsync(user.AccountManagerScope(), paging.Page, paging.PageSize, ct);
        return TypedResults.Ok(new PagedList<CustomerSummary>(items, total, paging.Page, paging.PageSize));
    }

    public static async Task<Results<NoContent, ValidationProblem, NotFound>> AssignAsync(
        Guid customerId, AssignAccountManagerRequest request, StaffRepository staff, TimeProvider time, CancellationToken ct)
    {
        if (request.AccountManagerId is not { } managerId)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["accountManagerId"] = ["accountManagerId is required."] });
        }
        return await staff.AssignAsync(customerId, managerId, time.GetUtcNow(), ct) ? TypedResults.NoContent() : TypedResults.NotFound();
    }

    public static async Task<Results<Created<StaffCreated>, ValidationProblem, ProblemHttpResult>> AddStaffAsync(
        NewStaffRequest request, StaffRepository staff, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation()
            .Email("email", request.Email)
            .Required("name", request.Name, 200)
            .Required("password", request.Password, 200)
            .Check("password", (request.Password?.Length ?? 0) >= CustomersApi.MinPasswordLength, $"password must be at least {CustomersApi.MinPasswordLength} characters.")
            .Check("role", request.Role is Roles.AccountManager or Roles.Operator, $"role must be \"{Roles.AccountManager}\" or \"{Roles.Operator}\".");
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        var row = new CustomerRow(Guid.CreateVersion7(), request.Email!.Trim(), request.Name!.Trim(), PasswordHasher.Hash(request.Password!), request.Role!);
        if (!await staff.AddStaffAsync(row, time.GetUtcNow(), ct))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Email already registered", detail: "Someone already uses this email.");
        }
        // Staff authenticate with access tokens from POST /api/auth/token.
        return TypedResults.Created($"/api/admin/staff/{row.Id}", new StaffCreated(row.Id, row.Email, row.Role));
    }

    /// <summary>
    /// An operator disables a staff account (one who left, a lost laptop): its password, access tokens and API keys
    /// stop working within the gateway's credential cache time. Not one's own account, so the last operator cannot lock
    /// everyone out; customers' accounts are not staff accounts (404).
    /// </summary>
    public static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DisableStaffAsync(
        Guid staffId, ClaimsPrincipal user, StaffRepository staff, TimeProvider time, CancellationToken ct)
    {
        if (staffId == user.CustomerId())
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Cannot disable yourself",
                detail: "Another operator has to disable this account.");
        }
        return await staff.SetDisabledAsync(staffId, time.GetUtcNow(), ct) ? TypedResults.NoContent() : TypedResults.NotFound();
    }

    public static async Task<Results<NoContent, NotFound>> EnableStaffAsync(Guid staffId, StaffRepository staff, CancellationToken ct) =>
        await staff.SetDisabledAsync(staffId, null, ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    public static async Task<Results<NoContent, ValidationProblem, NotFound>> UpdateProductAsync(
        string productId, ProductUpdate request, StaffRepository staff, CancellationToken ct)
    {
        var validation = new Validation()
            .Required("name", request.Name, 200)
            .Required("description", request.Description, 2000)
            .Check("monthlyPrice", request.MonthlyPrice is { Amount: > 0 and < 1_000_000 } price && decimal.Round(price.Amount, 2) == price.Amount,
                "monthlyPrice.amount must be positive, with at most two decimals.")
            .Check("monthlyPrice", request.MonthlyPrice is null || Currencies.Contains(request.MonthlyPrice.Currency), $"monthlyPrice.currency must be one of {string.Join(", ", Currencies)}.")
            .Check("ips", request.Ips is > 0 and <= 256, "ips must be between 1 and 256.");
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        var product = new ProductRow(productId, request.Name!.Trim(), request.Description!.Trim(), (long)(request.MonthlyPrice!.Amount * 100),
            request.MonthlyPrice.Currency, request.Ips!.Value);
        return await staff.UpdateProductAsync(product, ct) ? TypedResults.NoContent() : TypedResults.NotFound();
    }
}
