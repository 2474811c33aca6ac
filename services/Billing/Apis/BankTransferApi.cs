using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Billing.Data;
using ProMTA.Billing.Renewals;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Billing.Apis;

public sealed record BankTransferDecision(string? Reason);

/// <summary>
/// Rule 8, for staff: approve or revoke bank transfer for a customer with more than one service (who, when and why
/// audited), and mark a bank-transfer invoice paid when the money arrives. An account manager acts for their own
/// customers only (anyone else's: 404, as if it did not exist); operators for every customer.
/// </summary>
public static class BankTransferApi
{
    public static RouteGroupBuilder MapBankTransferApi(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/admin").RequireAuthorization(StaffPolicy.Name);
        admin.MapPost("/customers/{customerId:guid}/bank-transfer", ApproveAsync);
        admin.MapDelete("/customers/{customerId:guid}/bank-transfer", RevokeAsync);
        admin.MapPost("/invoices/{invoiceId:guid}/mark-paid", MarkPaidAsync);
        return api;
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult, NotFound>> ApproveAsync(
        Guid customerId, BankTransferDecision request, ClaimsPrincipal user, Database db, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation().Required("reason", request.Reason, 2000);
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        await using var work = await db.BeginAsync(ct);
        if (!await AccountManagerRepository.InScopeAsync(work, user.AccountManagerScope(), customerId)) return TypedResults.NotFound();
        if (await BankTransferRepository.RunningServicesAsync(work, customerId) < 2)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Bank transfer not possible",
                detail: "Bank transfer is only for customers with more than one service.");
        }
        await BankTransferRepository.ApproveAsync(work, customerId, user.CustomerId(), time.GetUtcNow(), request.Reason!.Trim());
        await work.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, NotFound>> RevokeAsync(Guid customerId, string? reason, ClaimsPrincipal user, Database db, TimeProvider time, CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        if (!await AccountManagerRepository.InScopeAsync(work, user.AccountManagerScope(), customerId)) return TypedResults.NotFound();
        if (!await BankTransferRepository.RevokeAsync(work, customerId, user.CustomerId(), time.GetUtcNow(), reason ?? "revoked")) return TypedResults.NotFound();
        await work.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>The transfer arrived: the invoice is paid like a card payment would pay it (resuming a suspended service).</summary>
    public static async Task<Results<NoContent, NotFound>> MarkPaidAsync(
        Guid invoiceId, ClaimsPrincipal user, Database db, InvoiceSettlement settlement, CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        if (await BankTransferRepository.FindOpenTransferInvoiceAsync(work, invoiceId) is null) return TypedResults.NotFound();
        var lines = await ConsolidationRepository.LinesAsync(work, invoiceId);
        if (lines.Count > 0) return await MarkConsolidatedPaidAsync(work, invoiceId, lines, user, settlement, ct);
        if (await BankTransferRepository.OpenProrationOwnerAsync(work, invoiceId) is { } owner)
        {
            // An upgrade's proration invoice: the change already applied; the transfer only settles the invoice.
            if (!await AccountManagerRepository.InScopeAsync(work, user.AccountManagerScope(), owner)) return TypedResults.NotFound();
            await BillingRepository.MarkPaidAsync(work, invoiceId, null, settlement.Now);
            await work.CommitAsync(ct);
            return TypedResults.NoContent();
        }
        if (await RenewalRepository.FindOpenByIdAsync(work, invoiceId) is not { } open
            || !await AccountManagerRepository.InScopeAsync(work, user.AccountManagerScope(), open.Service.CustomerId))
        {
            return TypedResults.NotFound();
        }
        await settlement.SettleAsync(work, open.Service, open.Invoice, open.Period, paymentIntentId: null);
        await work.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// A consolidated invoice (issue 17, section 5) pays every service on it: each line settles its service's period
    /// as if it had been that service's own invoice (PaymentSucceeded with the line's amount, a suspended one resumed).
    /// </summary>
    private static async Task<Results<NoContent, NotFound>> MarkConsolidatedPaidAsync(
        UnitOfWork work, Guid invoiceId, IReadOnlyList<InvoiceLine> lines, ClaimsPrincipal user, InvoiceSettlement settlement, CancellationToken ct)
    {
        var number = await BankTransferRepository.InvoiceNumberAsync(work, invoiceId);
        var services = new List<(DueService Service, InvoiceLine Line)>();
        foreach (var line in lines.OrderBy(l => l.ServiceId))
        {
            if (await ConsolidationRepository.ServiceForUpdateAsync(work, line.ServiceId) is { } service) services.Add((service, line));
        }
        if (services.Count == 0 || !await AccountManagerRepository.InScopeAsync(work, user.AccountManagerScope(), services[0].Service.CustomerId))
        {
            return TypedResults.NotFound();
        }
        foreach (var (service, line) in services.Where(x => x.Service.NextPeriod == x.Line.PeriodIndex && x.Service.BillingStatus is "Active" or "PastDue" or "Suspended"))
        {
            await settlement.SettleAsync(work, service, new OpenInvoice(invoiceId, number, line.GrossMinor), line.PeriodIndex, paymentIntentId: null);
        }
        // A service that ended meanwhile (cancelled in time) leaves its line paid with the invoice.
        await BillingRepository.MarkPaidAsync(work, invoiceId, null, settlement.Now);
        await work.CommitAsync(ct);
        return TypedResults.NoContent();
    }
}
