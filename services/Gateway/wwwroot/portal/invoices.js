'use strict';
document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, show, alert, problem, date, money, busy, requireLogin } = Portal;
  if (!requireLogin()) return;
  if (new URLSearchParams(location.search).get('card') === 'updated') alert('invoices-alert', 'ok', 'Your new card is saved. Renewals and any unpaid invoice are charged to it.');

  const r = await api('GET', '/api/invoices?pageSize=100');
  if (!r.ok) { alert('invoices-alert', 'error', problem(r)); return; }
  const invoices = r.data.items;
  // The PDF route needs the bearer header, so the file is fetched and handed to the browser as a download.
  const download = async (invoice, button) => {
    busy(button, true, 'Downloading…');
    const pdf = await api('GET', `/api/invoices/${invoice.id}/pdf`, undefined, { blob: true });
    busy(button, false);
    if (!pdf.ok) { alert('invoices-alert', 'error', problem(pdf)); return; }
    const url = URL.createObjectURL(pdf.data);
    const a = el('a', { href: url, download: `promta-invoice-${invoice.number}.pdf` });
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
      el('td', { 'data-label': 'Amount' }, money({ amount: i.amount, currency: i.currency })),
      el('td', { 'data-label': 'Status' }, el('span', { class: i.status === 'Paid' ? 'status good' : 'status' }, i.status), i.failureReason ? ` ${i.failureReason}` : ''),
      el('td', { 'data-label': 'PDF' }, el('button', { type: 'button', class: 'secondary', onclick: e => download(i, e.currentTarget) }, `Download invoice ${i.number} (PDF)`))))))));

  document.getElementById('change-card').addEventListener('click', async e => {
    busy(e.currentTarget, true, 'Opening Stripe…');
    const started = await api('POST', '/api/checkout-sessions', { successUrl: '/checkout/done?session_id={CHECKOUT_SESSION_ID}', cancelUrl: '/invoices' });
    if (!started.ok) { busy(e.target, false); alert('invoices-alert', 'error', problem(started)); return; }
    sessionStorage.setItem('promta.checkout.' + started.data.id, JSON.stringify({ purpose: 'card' }));
    location.assign(started.data.url);
  });
});
