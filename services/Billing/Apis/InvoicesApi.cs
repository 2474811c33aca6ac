using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Billing.Data;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Billing.Apis;

/// <param name="PeriodEnd">The last day paid for, included: a period is [periodStart, periodEnd], as in the PDF and the portal.</param>
/// <param name="Amount">The total charged, VAT included (<paramref name="Net"/> + <paramref name="Vat"/>).</param>
/// <param name="VatTreatment">Standard, ReverseCharge, OutsideScope, or NotCharged (issued before VAT was applied).</param>
public sealed record InvoiceDto(
    Guid Id, long Number, Guid ServiceId, DateOnly PeriodStart, DateOnly PeriodEnd, decimal Amount, string Currency,
    string Status, string? FailureReason, DateTimeOffset IssuedAt, DateTimeOffset? PaidAt, decimal AmountRefunded,
    decimal Net, decimal Vat, decimal VatRate, string VatTreatment, string Description, string PaymentMethod)
{
    /// <summary>Period, Proration or Consolidated (one invoice for several services, a line each: <see cref="Lines"/>).</summary>
    public string Kind { get; init; } = Domain.InvoiceKind.Period;

    /// <summary>A consolidated invoice's lines (empty otherwise); each period is [periodStart, periodEnd], both included.</summary>
    public IReadOnlyList<InvoiceLineDto> Lines { get; init; } = [];

    /// <summary>The invoice never changes once issued (rule 14); refunds are shown beside it as <see cref="AmountRefunded"/>.</summary>
    public static InvoiceDto From(InvoiceRow i) => new(i.Id, i.Number, i.ServiceId, i.PeriodStart, i.PeriodLastDay, i.AmountMinor / 100m,
        i.Currency, i.Status, i.FailureReason, i.IssuedAt, i.PaidAt, i.AmountRefundedMinor / 100m,
        i.NetMinor / 100m, i.VatMinor / 100m, i.VatRate, i.VatTreatment, Invoices.InvoiceDocument.Description(i), i.PaymentMethod)
    {
        Kind = i.Kind,
        Lines = i.Lines.Select(l => new InvoiceLineDto(l.ServiceId, l.Description, l.PeriodStart, l.PeriodLastDay, l.NetMinor / 100m, l.VatMinor / 100m,
            l.GrossMinor / 100m)).ToList(),
    };
}

/// <param name="PeriodEnd">The last day paid for, included.</param>
public sealed record InvoiceLineDto(Guid ServiceId, string Description, DateOnly PeriodStart, DateOnly PeriodEnd, decimal Net, decimal Vat, decimal Gross);

public static class InvoicesApi
{
    public static RouteGroupBuilder MapInvoicesApi(this RouteGroupBuilder api)
    {
        var invoices = api.MapGroup("/invoices").RequireAuthorization();
        invoices.MapGet("", ListAsync);
        invoices.MapGet("/{invoiceId:guid}", GetAsync);
        invoices.MapGet("/{invoiceId:guid}/pdf", PdfAsync);
        return api;
    }

    public static async Task<Results<Ok<InvoiceDto>, NotFound>> GetAsync(Guid invoiceId, ClaimsPrincipal user, InvoiceQueries invoices, CancellationToken ct) =>
        await invoices.FindAsync(user.CustomerId(), invoiceId, ct) is { } invoice ? TypedResults.Ok(InvoiceDto.From(invoice)) : TypedResults.NotFound();

    /// <summary>Rule 14: invoices can be downloaded; the PDF is rendered from the immutable invoice.</summary>
    public static async Task<Results<FileContentHttpResult, NotFound>> PdfAsync(
        Guid invoiceId, ClaimsPrincipal user, InvoiceQueries invoices, Invoices.InvoicePdf pdf, CancellationToken ct) =>
        await invoices.FindAsync(user.CustomerId(), invoiceId, ct) is { } invoice
            ? TypedResults.File(pdf.Render(invoice), "application/pdf", $"promta-invoice-{invoice.Number}.pdf")
            : TypedResults.NotFound();

    public static async Task<Ok<PagedList<InvoiceDto>>> ListAsync([AsParameters] PageRequest pageRequest, ClaimsPrincipal user, InvoiceQueries invoices, CancellationToken ct)
    {
        var paging = pageRequest.Paging;
        var (items, total) = await invoices.ListAsync(user.CustomerId(), paging.Page, paging.PageSize, ct);
        return TypedResults.Ok(new PagedList<InvoiceDto>(items.Select(InvoiceDto.From).ToList(), total, paging.Page, paging.PageSize));
    }
}
