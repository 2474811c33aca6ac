'use strict';
// Operators' page (/staff/operations) over the existing routes: GET /api/admin/dead-letters (every service's _error
// queues, replay one message) and GET /api/admin/orders/{id}/flow (an order's messages across the services).
document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, show, alert, problem, dateTime, busy, requireLogin, session, fieldProblems } = Portal;
  if (!requireLogin()) return;
  if (session().role !== 'operator') { alert('ops-alert', 'error', 'This page is for ProMTA operators. Log in with an operator account.'); return; }
  const unavailable = (names, errors) => names.length === 0 ? null
    : el('p', { class: 'alert warn' }, `Not answering: ${names.join(', ')}. `, (errors || []).map(e => `${e.service}: ${e.error}`).join(' '));

  async function loadDeadLetters() {
    const r = await api('GET', '/api/admin/dead-letters');
    if (!r.ok) { show('dead-letters', el('p', {}, problem(r))); return; }
    const report = r.data;
    if (report.total === 0) { show('dead-letters', unavailable(report.unavailable, report.peerErrors), el('p', {}, 'No dead letters: every message was handled.')); return; }
    show('dead-letters', unavailable(report.unavailable, report.peerErrors), el('p', {}, `${report.total} message(s) failed every retry.`),
      report.queues.map(q => el('article', { class: 'card' },
        el('h3', {}, `${q.service}: ${q.errorQueue}`),
        el('p', { class: 'muted' }, `${q.count} message(s); replayed to ${q.queue}.`),
        el('div', { class: 'table-wrap' }, el('table', { class: 'stack' },
          el('thead', {}, el('tr', {}, ['Message', 'Failed', 'Error', ''].map(h => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, q.messages.map(m => {
            const result = el('span', { role: 'status' });
            return el('tr', {},
              el('td', { 'data-label': 'Message' }, (m.messageType || 'unknown type').split(':').pop(), el('br'), el('code', {}, m.messageId || '')),
              el('td', { 'data-label': 'Failed' }, m.faultedAt ? dateTime(m.faultedAt) : '', m.retries != null ? ` after ${m.retries} retries` : ''),
              el('td', { 'data-label': 'Error' }, el('span', { class: 'message' }, `${m.exceptionType || ''}: ${m.exceptionMessage || ''}`)),
              el('td', { 'data-label': 'Replay' }, m.messageId ? el('button', { type: 'button', class: 'secondary', 'aria-label': `Replay message ${m.messageId}`,
                onclick: async e => {
                  busy(e.target, true, 'Replaying…');
                  const d = await api('POST', `/api/admin/dead-letters/${encodeURIComponent(q.errorQueue)}/messages/${m.messageId}/replay`);
                  busy(e.target, false);
                  if (!d.ok) { result.textContent = problem(d); return; }
                  alert('ops-alert', 'ok', `Message ${m.messageId} replayed to ${d.data.replayedTo}.`);
                  loadDeadLetters();
                } }, 'Replay') : null, result));
          })))))));
  }

  const form = document.getElementById('flow-form');
  const wanted = new URLSearchParams(location.search).get('order');
  async function loadFlow(orderId) {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    if (!uuid.test(orderId)) { fieldProblems(form, 'ops-alert', { ok: false, status: 400, data: { errors: { orderId: ['Give the order id, such as 0193c1d2-….'] } } }); return; }
    fieldProblems(form, 'ops-alert', null);
    const r = await api('GET', `/api/admin/orders/${orderId}/flow`);
    if (!r.ok) { show('flow', el('p', {}, r.status === 404 ? 'No order has this id.' : problem(r))); return; }
    const f = r.data;
    show('flow', unavailable(f.unavailable, f.peerErrors),
      el('p', {}, `Service ${f.serviceId}`, f.traceId ? ` · trace ${f.traceId}` : ''),
      el('div', { class: 'table-wrap' }, el('table', { class: 'stack' },
        el('thead', {}, el('tr', {}, ['When', 'Service', 'Step', 'Message', 'Took', 'Outcome'].map(h => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, f.events.map(e => el('tr', {},
          el('td', { 'data-label': 'When' }, dateTime(e.at)),
          el('td', { 'data-label': 'Service' }, e.service),
          el('td', { 'data-label': 'Step' }, e.kind === 'Published' ? 'Published' : `Consumed by ${(e.consumer || '').split('.').pop()}`),
          el('td', { 'data-label': 'Message' }, e.messageType.split('.').pop()),
          el('td', { 'data-label': 'Took' }, e.durationMs != null ? `${Math.round(e.durationMs)} ms` : ''),
          el('td', { 'data-label': 'Outcome' }, e.status, e.retries ? ` after ${e.retries} retries` : '', e.fault ? el('span', { class: 'message' }, ` (${e.fault})`) : null)))))));
  }
  form.addEventListener('submit', e => { e.preventDefault(); loadFlow(form.elements.orderId.value.trim()); });
  if (wanted) { form.elements.orderId.value = wanted; loadFlow(wanted); }
  await loadDeadLetters();
});
