'use strict';
// Find one message: by our queue id or the Message-ID header, by recipient, or the newest; each recipient's trail.
document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, show, alert, problem, dateTime, fieldProblems, busy, requireLogin } = Portal;
  if (!requireLogin()) return;
  const serviceId = location.pathname.split('/')[2];
  const path = `/api/services/${encodeURIComponent(serviceId)}/messages`;
  document.getElementById('back-to-service').href = `/services/${encodeURIComponent(serviceId)}`;
  const form = document.getElementById('search-form');
  const more = document.getElementById('more');
  let page = 1;

  const eventNames = {
    accepted: 'Accepted', delivered: 'Delivered', deferred: 'Deferred', bounced: 'Bounced', expired: 'Expired',
    complained: 'Complained', suppressed: 'Suppressed', paced: 'Held back (paced)',
  };

  const recipientView = r => el('div', { role: 'listitem', class: 'panel', 'data-recipient': r.address },
    el('p', {}, el('strong', { class: 'mono' }, r.address), ' ',
      el('span', { class: r.status === 'Delivered' ? 'status good' : r.status === 'Bounced' ? 'status bad' : 'status warn' }, r.status === 'Queued' ? 'Waiting' : r.status),
      el('span', { class: 'muted' }, ` ${r.provider}`)),
    r.waiting ? el('p', { class: 'waiting' }, r.waiting.reason, r.waiting.until ? ` Until ${dateTime(r.waiting.until)}.` : '') : null,
    el('ol', { class: 'timeline', 'aria-label': `Trail of ${r.address}` }, r.events.map(e => el('li', { 'data-event': e.event },
      el('strong', {}, eventNames[e.event] || e.event), ' ', el('span', { class: 'muted' }, dateTime(e.at)),
      e.reply || e.sourceIp ? el('div', { class: 'mono' }, e.reply || '', e.sourceIp ? ` (from ${e.sourceIp})` : '') : null))));

  async function search(append) {
    const query = new URLSearchParams({ page: String(page), pageSize: '20' });
    if (form.messageId.value.trim()) query.set('messageId', form.messageId.value.trim());
    if (form.recipient.value.trim()) query.set('recipient', form.recipient.value.trim());
    const button = form.querySelector('button[type=submit]');
    busy(button, true, 'Searching…');
    const r = await api('GET', `${path}?${query}`);
    busy(button, false);
    fieldProblems(form, 'messages-alert', r);
    if (!r.ok) {
      if (r.status === 404) alert('messages-alert', 'error', 'There is no such service in your account.');
      show('results');
      more.hidden = true;
      return;
    }
    const items = r.data.items.map(m => el('article', { class: 'panel', 'data-message': m.messageId },
      el('h3', {}, `Message ${m.messageId}`),
      el('dl', { class: 'facts' },
        el('dt', {}, 'Received'), el('dd', {}, dateTime(m.receivedAt)),
        el('dt', {}, 'From'), el('dd', { class: 'mono' }, m.mailFrom || '(none: a bounce report)'),
        el('dt', {}, 'Message-ID'), el('dd', { class: 'mono' }, m.headerMessageId || 'not recorded'),
        el('dt', {}, 'Size'), el('dd', {}, `${m.size.toLocaleString('en-GB')} bytes`)),
      el('div', { role: 'list', 'aria-label': `Recipients of ${m.messageId}` }, m.recipients.map(recipientView))));
    const results = document.getElementById('results');
    if (append) results.append(...items);
    else show(results, items.length ? items : el('p', { id: 'no-messages' }, 'No message matches in that period.'));
    more.hidden = !r.data.hasMore;
  }

  form.addEventListener('submit', e => { e.preventDefault(); page = 1; search(false); });
  more.addEventListener('click', () => { page += 1; search(true); });
  await search(false);
});
