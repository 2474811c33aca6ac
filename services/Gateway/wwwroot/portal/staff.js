'use strict';
document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, show, alert, problem, dateTime, busy, requireLogin, session } = Portal;
  if (!requireLogin()) return;
  if (!session().staff) { alert('staff-alert', 'error', 'This page is for ProMTA staff. Log in with a staff account.'); return; }
  let formId = 0;
  // An accepted order stays "InReview" until its server is set up; hide what this browser already decided.
  const decidedKey = 'promta.staff.decided';
  const decided = new Set(JSON.parse(sessionStorage.getItem(decidedKey) || '[]'));

  async function loadReviews() {
    const r = await api('GET', '/api/admin/orders/in-review?pageSize=100');
    if (!r.ok) { show('reviews', el('p', {}, problem(r))); return; }
    const waiting = r.data.items.filter(o => !decided.has(o.orderId));
    if (waiting.length === 0) { show('reviews', el('p', {}, 'No orders are waiting for review.')); return; }
    show('reviews', waiting.map(o => {
      const id = ++formId;
      const deadline = new Date(Date.now() + 3 * 24 * 3600 * 1000);
      deadline.setMinutes(deadline.getMinutes() - deadline.getTimezoneOffset());
      const result = el('div', { class: 'alert', role: 'status', tabindex: '-1', id: `review-result-${id}` });
      const decide = async (button, body) => {
        busy(button, true, 'Saving…');
        const d = await api('POST', `/api/admin/orders/${o.orderId}/review`, body);
        busy(button, false);
        if (!d.ok) { alert(result.id, 'error', problem(d)); return; }
        decided.add(o.orderId);
        sessionStorage.setItem(decidedKey, JSON.stringify([...decided]));
        alert('staff-alert', 'ok', body.decision === 'accept' ? `Order for ${o.customerEmail} accepted.` : `Order for ${o.customerEmail} rejected; the first month is refunded.`);
        loadReviews();
      };
      return el('article', { class: 'card', 'aria-labelledby': `review-${id}` },
        el('h3', { id: `review-${id}` }, `${o.productId} for ${o.customerEmail}`),
        el('p', { class: 'muted' }, `Ordered ${dateTime(o.createdAt)}`),
        el('p', {}, el('strong', {}, 'Special requirements: '), o.specialRequirements || ''),
        el('form', { onsubmit: e => { e.preventDefault(); decide(e.submitter, { decision: 'accept', setupDeadline: new Date(e.target.elements.deadline.value).toISOString() }); } },
          el('div', { class: 'field' }, el('label', { for: `deadline-${id}` }, 'Setup deadline'),
            el('input', { id: `deadline-${id}`, name: 'deadline', type: 'datetime-local', required: true, value: deadline.toISOString().slice(0, 16) })),
          el('button', { type: 'submit' }, 'Accept')),
        el('form', { onsubmit: e => { e.preventDefault(); decide(e.submitter, { decision: 'reject', reason: e.target.elements.reason.value.trim() }); } },
          el('div', { class: 'field' }, el('label', { for: `reason-${id}` }, 'Reason for rejecting'),
            el('textarea', { id: `reason-${id}`, name: 'reason', rows: 2, maxlength: 2000 })),
          el('button', { type: 'submit', class: 'danger' }, 'Reject and refund')),
        result);
    }));
  }

  async function loadCustomers() {
    const r = await api('GET', '/api/admin/customers?pageSize=100');
    if (!r.ok) { show('customers', el('p', {}, problem(r))); return; }
    if (r.data.items.length === 0) { show('customers', el('p', {}, 'No customers are assigned to you yet.')); return; }
    show('customers', el('div', { class: 'table-wrap' }, el('table', { class: 'stack' },
      el('thead', {}, el('tr', {}, ['Customer', 'Services', 'Since', 'Bank transfer'].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, r.data.items.map(c => {
        const id = ++formId;
        const result = el('div', { class: 'alert', role: 'status', id: `bank-result-${id}` });
        return el('tr', {},
          el('td', { 'data-label': 'Customer' }, c.name, el('br'), el('span', { class: 'muted' }, c.email)),
          el('td', { 'data-label': 'Services' }, String(c.services)),
          el('td', { 'data-label': 'Since' }, dateTime(c.createdAt)),
          el('td', { 'data-label': 'Bank transfer' },
            el('form', { onsubmit: async e => {
                e.preventDefault();
                busy(e.submitter, true, 'Saving…');
                const d = await api('POST', `/api/admin/customers/${c.id}/bank-transfer`, { reason: e.target.elements.reason.value.trim() });
                busy(e.submitter, false);
                alert(result.id, d.ok ? 'ok' : 'error', d.ok ? 'Bank transfer approved.' : problem(d));
              } },
              el('label', { for: `bank-reason-${id}` }, `Reason to allow bank transfer for ${c.email}`),
              el('input', { id: `bank-reason-${id}`, name: 'reason', maxlength: 2000 }),
              el('button', { type: 'submit', class: 'secondary' }, 'Approve bank transfer')),
            result));
      })))));
  }

  async function loadDemos() {
    const r = await api('GET', '/api/admin/demo-requests?pageSize=100');
    if (!r.ok) { show('demos', el('p', {}, problem(r))); return; }
    if (r.data.items.length === 0) { show('demos', el('p', {}, 'No demo requests.')); return; }
    show('demos', el('div', { class: 'table-wrap' }, el('table', { class: 'stack' },
      el('thead', {}, el('tr', {}, ['Who', 'Preferred times', 'Received', 'Status'].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, r.data.items.map(d => el('tr', {},
        el('td', { 'data-label': 'Who' }, d.name, d.company ? ` (${d.company})` : '', el('br'), el('a', { href: 'mailto:' + d.email }, d.email)),
        el('td', { 'data-label': 'Preferred times' }, el('ul', {}, d.preferredTimes.map(t => el('li', {}, t)))),
        el('td', { 'data-label': 'Received' }, dateTime(d.createdAt)),
        el('td', { 'data-label': 'Status' }, d.status || 'Received')))))));
  }

  await Promise.all([loadReviews(), loadCustomers(), loadDemos()]);
});
