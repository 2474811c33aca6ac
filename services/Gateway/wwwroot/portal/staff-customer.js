'use strict';
// One customer for staff (/staff/customers/{id}): Ordering's GET /api/admin/customers/{id} (profile, services, orders,
// notes) and Billing's GET /api/admin/customers/{id}/billing (invoices, bank transfer). An account manager sees only
// their own customers: anyone else's answers 404 and the page says so.
document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, show, alert, problem, date, dateTime, money, busy, requireLogin, session, fieldProblems, statusText } = Portal;
  if (!requireLogin()) return;
  if (!session().staff) { alert('customer-alert', 'error', 'This page is for ProMTA staff. Log in with a staff account.'); return; }
  const id = location.pathname.split('/').pop();
  const table = (heads, rows) => el('div', { class: 'table-wrap' }, el('table', { class: 'stack' },
    el('thead', {}, el('tr', {}, heads.map(h => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows.map(cells => el('tr', {}, cells.map((c, i) => el('td', { 'data-label': heads[i] }, c)))))));

  const [customer, billing, products] = await Promise.all([
    api('GET', `/api/admin/customers/${id}`), api('GET', `/api/admin/customers/${id}/billing`), api('GET', '/api/products', undefined, { anonymous: true })]);
  if (!customer.ok) {
    alert('customer-alert', 'error', customer.status === 404 ? 'No customer of yours has this id.' : problem(customer));
    for (const s of document.querySelectorAll('main section')) s.hidden = true;
    return;
  }
  const c = customer.data;
  const plan = productId => (products.ok && products.data.find(p => p.id === productId)?.name) || productId;
  document.getElementById('customer-heading').textContent = c.name;
  document.title = `${c.name} · ProMTA`;
  show('profile', el('dt', {}, 'E-mail'), el('dd', {}, el('a', { href: 'mailto:' + c.email }, c.email), c.emailVerified ? ' (confirmed)' : ' (not confirmed yet)'),
    el('dt', {}, 'Customer since'), el('dd', {}, dateTime(c.createdAt)),
    el('dt', {}, 'Account manager'), el('dd', {}, c.accountManagerId ? 'Assigned' : 'None yet (operators see every customer)'));

  // Operators control any service's queue (pause, purge: issue 20); account managers only look.
  const operator = session().role === 'operator';
  show('services', c.services.length === 0 ? el('p', {}, 'No services.') : table(['Plan', 'Status', 'Host', 'Paid through', 'Ends on', ...(operator ? ['Queue'] : [])],
    c.services.map(s => [plan(s.productId), el('span', { 'data-status': s.status }, statusText(s.status)), el('span', { class: 'mono' }, s.hostname || '—'),
      s.paidThrough ? date(s.paidThrough) : '—', s.endsOn ? date(s.endsOn) : '—',
      ...(operator ? [el('a', { href: `/services/${s.serviceId}/queue`, 'aria-label': `Queue of ${plan(s.productId)} ${s.hostname || ''}`.trim() }, 'Queue')] : [])])));

  show('orders', c.orders.length === 0 ? el('p', {}, 'No orders.') : table(['Ordered', 'Plan', 'Status', 'Flow'],
    c.orders.map(o => [dateTime(o.createdAt), plan(o.productId), el('span', { 'data-status': o.status }, statusText(o.status)),
      session().role === 'operator' ? el('a', { href: `/staff/operations?order=${o.orderId}` }, 'Message flow') : '—'])));

  if (!billing.ok) show('invoices', el('p', {}, billing.status === 404 ? 'No billing records for this customer.' : problem(billing)));
  else {
    const b = billing.data;
    show('invoices', b.invoices.length === 0 ? el('p', {}, 'No invoices yet.') : table(['Number', 'Period', 'Amount', 'Status', 'Paid by'],
      b.invoices.map(i => [String(i.number), `${date(i.periodStart)} – ${date(i.periodEnd)}`, money({ amount: i.amount, currency: i.currency }),
        el('span', { 'data-status': i.status }, statusText(i.status)), i.paymentMethod === 'bank_transfer' ? 'Bank transfer' : 'Card'])));
    // Rule 8: bank transfer only for a customer with more than one running service; the form shows only then.
    if (b.bankTransferApproved) show('bank-transfer', el('p', {}, 'Bank transfer is approved for this customer.'));
    else if (!b.bankTransferPossible) show('bank-transfer', el('p', { class: 'muted' }, `Bank transfer needs more than one running service (this customer has ${b.runningServices}).`));
    else {
      const result = el('div', { class: 'alert', role: 'status', id: 'bank-result' });
      show('bank-transfer', el('form', { onsubmit: async e => {
          e.preventDefault();
          busy(e.submitter, true, 'Saving…');
          const d = await api('POST', `/api/admin/customers/${id}/bank-transfer`, { reason: e.target.elements.reason.value.trim() });
          busy(e.submitter, false);
          fieldProblems(e.target, result.id, d);
          if (d.ok) show('bank-transfer', el('p', {}, 'Bank transfer is approved for this customer.'));
        } },
        el('div', { class: 'field' }, el('label', { for: 'reason' }, 'Why bank transfer is allowed'), el('input', { id: 'reason', name: 'reason', maxlength: 2000, required: true })),
        el('button', { type: 'submit', class: 'secondary' }, 'Approve bank transfer'), result));
    }
  }

  const renderNotes = notes => show('notes', notes.length === 0 ? el('p', {}, 'No notes yet.')
    : el('ul', { class: 'notes' }, notes.map(n => el('li', {}, el('p', { class: 'message' }, n.text), el('p', { class: 'muted' }, `${n.authorName}, ${dateTime(n.createdAt)}`)))));
  let notes = c.notes;
  renderNotes(notes);
  const form = document.getElementById('note-form');
  form.addEventListener('submit', async e => {
    e.preventDefault();
    busy(e.submitter, true, 'Saving…');
    const r = await api('POST', `/api/admin/customers/${id}/notes`, { text: form.elements.text.value });
    busy(e.submitter, false);
    fieldProblems(form, 'note-alert', r);
    if (!r.ok) return;
    form.reset();
    notes = [r.data, ...notes];
    renderNotes(notes);
  });
});
