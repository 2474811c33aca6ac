using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Billing.CreditNotes;
using ProMTA.Billing.Data;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Billing.Apis;

/// <param name="Number">The credit note series' own number; documents print it as CN-{number}.</param>
/// <param name="Amount">What is credited, VAT included (<paramref name="Net"/> + <paramref name="Vat"/>).</param>
public sealed record CreditNoteDto(
    Guid Id, long Number, string DisplayNumber, Guid InvoiceId, long InvoiceNumber, string Reason, decimal Net, decimal Vat, decimal Amount,
    string Currency, DateTimeOffset IssuedAt, string? RefundId)
{
    public static CreditNoteDto From(CreditNoteRow c) => new(c.Id, c.Number, CreditNotePdf.Display(c.Number), c.InvoiceId, c.InvoiceNumber, c.Reason,
        c.NetMinor / 100m, c.VatMinor / 100m, c.AmountMinor / 100m, c.Currency, c.IssuedAt, c.RefundId);
}

/// <summary>The customer's credit notes (refunds, rejected orders): listed, read and downloaded; another customer's are 404.</summary>
public static class CreditNotesApi
{
    public static RouteGroupBuilder MapCreditNotesApi(this RouteGroupBuilder api)
    {
        var notes = api.MapGroup("/credit-notes").RequireAuthorization();
        notes.MapGet("", ListAsync);
        notes.MapGet("/{creditNoteId:guid}", GetAsync);
        notes.MapGet("/{creditNoteId:guid}/pdf", PdfAsync);
        return api;
    }

    public static async Task<Ok<PagedList<CreditNoteDto>>> ListAsync([AsParameters] PageRequest pageRequest, ClaimsPrincipal user, Database db, CancellationToken ct)
    {
        var paging = pageRequest.Paging;
        var (items, total) = await CreditNoteRepository.ListAsync(db, user.CustomerId(), paging.Page, paging.PageSize, ct);
        return TypedResults.Ok(new PagedList<CreditNoteDto>(items.Select(CreditNoteDto.From).ToList(), total, paging.Page, paging.PageSize));
    }

    public static async Task<Results<Ok<CreditNoteDto>, NotFound>> GetAsync(Guid creditNoteId, ClaimsPrincipal user, Database db, CancellationToken ct) =>
        await CreditNoteRepository.FindAsync(db, user.CustomerId(), creditNoteId, ct) is { } note ? TypedResults.Ok(CreditNoteDto.From(note)) : TypedResults.NotFound();

    public static async Task<Results<FileContentHttpResult, NotFound>> PdfAsync(
        Guid creditNoteId, ClaimsPrincipal user, Database db, CreditNotePdf pdf, CancellationToken ct) =>
        await CreditNoteRepository.FindAsync(db, user.CustomerId(), creditNoteId, ct) is { } note
            ? TypedResults.File(pdf.Render(note), "application/pdf", $"promta-credit-note-{note.Number}.pdf")
            : TypedResults.NotFound();
}
