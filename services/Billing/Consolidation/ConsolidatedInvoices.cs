using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.Billing.Invoices;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Consolidation;

/// <summary>
/// Issues the one invoice of a customer's services whose periods start on the same common billing day (issue 17,
/// section 5): a line per service (its plan as charged for that period: a downgrade scheduled for it counts), VAT
/// once on the total and shared among the lines, one number in the normal gapless series. The invoice row carries the
/// totals and the first line's service; a period is on one line of one invoice only (unique in invoice_lines).
/// </summary>
public sealed class ConsolidatedInvoices(InvoiceIssuer issuer, TimeProvider time)
{
    public const string Description = "Consolidated invoice: one line per service (prepaid)";

    /// <returns>Each service's line (issued now or earlier), and the invoices issued now.</returns>
    public async Task<(IReadOnlyDictionary<Guid, InvoiceLine> Lines, IReadOnlyList<OpenInvoice> Issued)> EnsureAsync(
        UnitOfWork work, Guid customerId, IReadOnlyList<DueService> services)
    {
        var lines = new Dictionary<Guid, InvoiceLine>();
        var missing = new List<DueService>();
        foreach (var service in services)
        {
            if (await ConsolidationRepository.FindOpenLineAsync(work, service.ServiceId, service.NextPeriod) is { } line) lines[service.ServiceId] = line;
            else missing.Add(service);
        }
        var issued = new List<OpenInvoice>();
        foreach (var group in missing.GroupBy(s => s.Calendar.PeriodStart(s.NextPeriod)).OrderBy(g => g.Key))
        {
            var members = group.OrderBy(s => s.OrderedOn).ThenBy(s => s.ServiceId).ToList();
            var nets = members.Select(s => s.Calendar.PeriodPrice(s.NextPeriod, s.PlanOf(s.NextPeriod).MonthlyPriceMinor)).ToList();
            var (content, vat) = await issuer.PrepareLinesAsync(work, customerId, nets, Description);
            var first = members[0];
            var id = Guid.CreateVersion7();
            var end = members.Max(s => s.Calendar.PeriodEnd(s.NextPeriod));
            var number = await BillingRepository.IssueInvoiceAsync(work, new NewInvoice(id, first.ServiceId, customerId, first.NextPeriod, group.Key, end,
                content.GrossMinor, first.Currency, time.GetUtcNow(), content, InvoiceKind.Consolidated));
            await BankTransferRepository.MarkInvoiceByTransferAsync(work, id);
            for (var i = 0; i < members.Count; i++)
            {
                var s = members[i];
                var plan = s.PlanOf(s.NextPeriod);
                var line = new InvoiceLine(id, i + 1, s.ServiceId, s.NextPeriod, s.Calendar.PeriodStart(s.NextPeriod), s.Calendar.PeriodEnd(s.NextPeriod),
                    CommonBillingDay.Line(s.Calendar, s.NextPeriod, plan.DisplayName, plan.MonthlyPriceMinor), nets[i], vat[i]);
                await ConsolidationRepository.AddLineAsync(work, line);
                lines[s.ServiceId] = line;
            }
            issued.Add(new OpenInvoice(id, number, content.GrossMinor));
        }
        return (lines, issued);
    }
}
