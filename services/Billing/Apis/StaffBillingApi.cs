using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Billing.Data;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Apis;

/// <param name="RunningServices">Services that still run and renew: bank transfer needs more than one (rule 8).</param>
public sealed record StaffCustomerBilling(Guid CustomerId, long RunningServices, bool BankTransferApproved, bool BankTransferPossible, IReadOnlyList<InvoiceDto> Invoices);

/// <summary>
/// Staff's view of one customer's billing (the staff customer page): invoices, and whether bank transfer applies.
/// Scoped like the bank-transfer routes: an account manager's own customers, 404 for anyone else's; operators all.
/// </summary>
public static class StaffBillingApi
{
    public const int MaxInvoices = 100;

    public static RouteGroupBuilder MapStaffBillingApi(this RouteGroupBuilder api)
    {
        api.MapGet("/admin/customers/{customerId:guid}/billing", GetAsync).RequireAuthorization(StaffPolicy.Name);
        return api;
    }

    public static async Task<Results<Ok<StaffCustomerBilling>, NotFound>> GetAsync(
        Guid customerId, ClaimsPrincipal user, Database db, InvoiceQueries invoices, CancellationToken ct)
    {
        long running;
        bool approved;
        await using (var work = await db.BeginAsync(ct))
        {
            if (!await AccountManagerRepository.InScopeAsync(work, user.AccountManagerScope(), customerId)) return TypedResults.NotFound();
            running = await BankTransferRepository.RunningServicesAsync(work, customerId);
            approved = await BankTransferRepository.ApprovedAsync(work, customerId);
        }
        var (items, _) = await invoices.ListAsync(customerId, 1, MaxInvoices, ct);
        return TypedResults.Ok(new StaffCustomerBilling(customerId, running, approved, running > 1, [.. items.Select(InvoiceDto.From)]));
    }
}
