'use strict';
document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, show, alert, problem, date, money, busy, requireLogin } = Portal;
  if (!requireLogin()) return;

  const r = await api('GET', '/api/invoices?pageSize=100');
  if (!r.ok) { alert('invoices-alert', 'error', problem(r)); return; }
  const invoices = r.data.items;
  // The PDF route needs the bearer header, so the file is fetched and handed to the browser as a download.
  const download = async (path, name, button) => {
    busy(button, true, 'Downloading…');
    const pdf = await api('GET', path, undefined, { blob: true });
    busy(button, false);
    if (!pdf.ok) { alert('invoices-alert', 'error', problem(pdf)); return; }
    const url = URL.createObjectURL(pdf.data);
    const a = el('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  };
  show('invoices', invoices.length === 0 ? el('p', {}, 'No invoices yet.') : el('div', { class: 'table-wrap' }, el('table', { class: 'stack' },
    el('caption', { class: 'muted' }, `${r.data.total} invoice${r.data.total === 1 ? '' : 's'}`),
    el('thead', {}, el('tr', {}, ['Number', 'Period', 'Amount', 'Status', 'PDF'].map(h => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, invoices.map(i => el('tr', {},
      el('td', { 'data-label': 'Number' }, String(i.number)),
      el('td', { 'data-label': 'Period' }, `${date(i.periodStart)} to ${date(i.periodEnd)}`),
      el('td', { 'data-label': 'Amount' }, money({ amount: i.amount, currency: i.currency }),
        el('span', { class: 'muted' }, i.vatTreatment === 'ReverseCharge' ? ' (VAT reverse charged)' : ` (incl. ${money({ amount: i.vat, currency: i.currency })} VAT)`)),
      el('td', { 'data-label': 'Status' }, el('span', { class: i.status === 'Paid' ? 'status good' : 'status' }, i.status), i.failureReason ? ` ${i.failureReason}` : ''),
      el('td', { 'data-label': 'PDF' }, el('button', { type: 'button', class: 'secondary', onclick: e => download(`/api/invoices/${i.id}/pdf`, `promta-invoice-${i.number}.pdf`, e.currentTarget) }, `Download invoice ${i.number} (PDF)`))))))));

  const notes = await api('GET', '/api/credit-notes?pageSize=100');
  if (notes.ok) show('credit-notes', notes.data.items.length === 0 ? el('p', {}, 'No credit notes.') : el('div', { class: 'table-wrap' }, el('table', { class: 'stack' },
    el('thead', {}, el('tr', {}, ['Number', 'Invoice', 'Reason', 'Amount', 'PDF'].map(h => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, notes.data.items.map(c => el('tr', {},
      el('td', { 'data-label': 'Number' }, c.displayNumber),
      el('td', { 'data-label': 'Invoice' }, String(c.invoiceNumber)),
      el('td', { 'data-label': 'Reason' }, c.reason),
      el('td', { 'data-label': 'Amount' }, money({ amount: c.amount, currency: c.currency })),
      el('td', { 'data-label': 'PDF' }, el('button', { type: 'button', class: 'secondary', onclick: e => download(`/api/credit-notes/${c.id}/pdf`, `promta-credit-note-${c.number}.pdf`, e.currentTarget) }, `Download credit note ${c.displayNumber} (PDF)`))))))));
});
