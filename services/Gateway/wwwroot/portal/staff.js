'use strict';
document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, show, alert, problem, dateTime, busy, requireLogin, session } = Portal;
  if (!requireLogin()) return;
  if (!session().staff) { alert('staff-alert', 'error', 'This page is for ProMTA staff. Log in with a staff account.'); return; }
  let formId = 0;
  if (session().role === 'operator') for (const p of document.querySelectorAll('[data-role="operator"]')) p.hidden = false;
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
    // Bank transfer is decided on the customer's page, where Billing says whether it applies (rule 8).
    show('customers', el('div', { class: 'table-wrap' }, el('table', { class: 'stack' },
      el('thead', {}, el('tr', {}, ['Customer', 'Services', 'Since'].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, r.data.items.map(c => el('tr', {},
        el('td', { 'data-label': 'Customer' }, el('a', { href: `/staff/customers/${c.id}` }, c.name), el('br'), el('span', { class: 'muted' }, c.email)),
        el('td', { 'data-label': 'Services' }, String(c.services)),
        el('td', { 'data-label': 'Since' }, dateTime(c.createdAt))))))));
  }

  // Demo requests (rule 4): schedule one of the times (or another), move it, mark it done. Done is final.
  const demoStates = { Received: 'Received', Scheduled: 'Scheduled', Done: 'Done' };
  async function loadDemos() {
    const r = await api('GET', '/api/admin/demo-requests?pageSize=100');
    if (!r.ok) { show('demos', el('p', {}, problem(r))); return; }
    if (r.data.items.length === 0) { show('demos', el('p', {}, 'No demo requests.')); return; }
    show('demos', el('div', { class: 'table-wrap' }, el('table', { class: 'stack' },
      el('thead', {}, el('tr', {}, ['Who', 'Preferred times', 'Received', 'Status'].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, r.data.items.map(d => {
        const id = ++formId;
        const result = el('div', { class: 'alert', role: 'status', id: `demo-result-${id}` });
        const act = async (button, path, body, done) => {
          busy(button, true, 'Saving…');
          const a = await api('POST', `/api/admin/demo-requests/${d.id}/${path}`, body);
          busy(button, false);
          if (!a.ok) { alert(result.id, 'error', problem(a)); return; }
          alert('staff-alert', 'ok', done(a.data));
          loadDemos();
        };
        const status = d.status === 'Scheduled' ? `Scheduled for ${dateTime(d.scheduledFor)}` : demoStates[d.status] || d.status || 'Received';
        return el('tr', {},
          el('td', { 'data-label': 'Who' }, d.name, d.company ? ` (${d.company})` : '', el('br'), el('a', { href: 'mailto:' + d.email }, d.email)),
          el('td', { 'data-label': 'Preferred times' }, el('ul', {}, d.preferredTimes.map(t => el('li', {}, t)))),
          el('td', { 'data-label': 'Received' }, dateTime(d.createdAt)),
          el('td', { 'data-label': 'Status' }, el('span', { 'data-status': d.status }, status),
            d.status === 'Done' ? null : el('form', { onsubmit: e => {
                e.preventDefault();
                const at = e.target.elements.at.value;
                act(e.submitter, 'schedule', { at: at ? new Date(at).toISOString() : null }, a => `Demo with ${d.name} scheduled for ${dateTime(a.scheduledFor)}. Confirm it to ${d.email}.`);
              } },
              el('label', { for: `demo-at-${id}` }, `Demo time for ${d.name}`),
              el('input', { id: `demo-at-${id}`, name: 'at', type: 'datetime-local', required: true }),
              el('button', { type: 'submit', class: 'secondary' }, d.status === 'Scheduled' ? 'Move the demo' : 'Schedule')),
            d.status === 'Done' ? null : el('button', { type: 'button', class: 'secondary', 'aria-label': `Mark done (demo request of ${d.name})`,
              onclick: e => act(e.target, 'done', undefined, () => `Demo request of ${d.name} marked done.`) }, 'Mark done'),
            result));
      })))));
  }

  // Messages from the contact form: unanswered first; staff answer by e-mail, then mark them answered.
  const topics = { sales: 'Before ordering', 'no-card': 'No credit card', billing: 'Invoice or payment', support: 'Service problem', other: 'Other' };
  async function loadContacts() {
    const r = await api('GET', '/api/admin/contact-messages?pageSize=100');
    if (!r.ok) { show('contacts', el('p', {}, problem(r))); return; }
    if (r.data.items.length === 0) { show('contacts', el('p', {}, 'No messages.')); return; }
    show('contacts', r.data.items.map(m => {
      const id = ++formId;
      const result = el('div', { class: 'alert', role: 'status', id: `contact-result-${id}` });
      return el('article', { class: 'card', 'aria-labelledby': `contact-${id}` },
        el('h3', { id: `contact-${id}` }, `${topics[m.topic] || m.topic}: ${m.name}`),
        el('p', { class: 'muted' }, el('a', { href: 'mailto:' + m.email }, m.email), ` · ${dateTime(m.createdAt)}`),
        el('p', { class: 'message' }, m.message),
        m.status === 'Answered'
          ? el('p', { 'data-status': 'Answered' }, `Answered ${dateTime(m.answeredAt)}`)
          : el('button', { type: 'button', class: 'secondary', 'aria-label': `Mark answered (message of ${m.name})`, onclick: async e => {
              busy(e.target, true, 'Saving…');
              const a = await api('POST', `/api/admin/contact-messages/${m.id}/answered`);
              busy(e.target, false);
              if (!a.ok) { alert(result.id, 'error', problem(a)); return; }
              loadContacts();
            } }, 'Mark answered'),
        result);
    }));
  }

  await Promise.all([loadReviews(), loadCustomers(), loadDemos(), loadContacts()]);
});
