'use strict';
// A service's webhook endpoints: add (the signing secret is shown once), remove, new secret, recent calls.
document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, show, alert, problem, dateTime, copyButton, fieldProblems, busy, requireLogin } = Portal;
  if (!requireLogin()) return;
  const serviceId = location.pathname.split('/')[2];
  const path = `/api/services/${encodeURIComponent(serviceId)}/webhooks`;
  document.getElementById('back-to-service').href = `/services/${encodeURIComponent(serviceId)}`;

  // What each event means to the customer; the value is the API's name.
  const events = [
    ['accepted', 'Accepted: we took the message for delivery'],
    ['delivered', 'Delivered: the recipient\'s server accepted it'],
    ['deferred', 'Deferred: the recipient\'s server asked us to try again later'],
    ['bounced', 'Bounced: refused for good (also a bounce that came back later by mail)'],
    ['expired', 'Expired: not delivered before the message\'s lifetime ended'],
    ['complained', 'Complained: the recipient reported it as spam'],
    ['suppressed', 'Suppressed: an address went on your suppression list, or mail to one was refused'],
    ['paced', 'Paced: we held mail back to keep within a provider\'s pace'],
  ];
  show('event-choices', events.map(([value, text]) => el('label', { class: 'choice', for: `event-${value}` },
    el('input', { type: 'checkbox', id: `event-${value}`, value, checked: ['delivered', 'bounced', 'complained'].includes(value) }), ' ', text)));

  const secretBox = (title, secret) => el('div', { class: 'alert good', role: 'status' },
    el('p', {}, title), el('p', {}, el('span', { class: 'mono', id: 'secret-value' }, secret), ' ', copyButton(secret, 'the signing secret')),
    el('p', {}, 'This is the only time it is shown: store it with your endpoint\'s configuration now.'));

  async function showDeliveries(webhook) {
    const r = await api('GET', `${path}/${encodeURIComponent(webhook.id)}/deliveries?pageSize=50`);
    const panel = document.getElementById('deliveries-panel');
    panel.hidden = false;
    document.getElementById('deliveries-heading').textContent = `Recent calls to ${webhook.url}`;
    if (!r.ok) { show('deliveries', el('p', {}, problem(r))); return; }
    const items = r.data.items;
    show('deliveries', items.length === 0 ? el('p', { id: 'no-deliveries' }, 'No calls yet: the first one goes out with the next event you chose.') :
      el('div', { class: 'table-wrap' }, el('table', { class: 'stack' },
        el('thead', {}, el('tr', {}, ['When', 'Result', 'Events', 'Answer'].map(h => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, items.map(d => el('tr', {},
          el('td', { 'data-label': 'When' }, dateTime(d.attemptedAt)),
          el('td', { 'data-label': 'Result' }, el('span', { class: d.status === 'delivered' ? 'status good' : 'status bad' },
            d.status === 'delivered' ? 'Delivered' : d.status === 'parked' ? 'Given up after 24 hours' : 'Failed, will be retried'), d.replay ? ' (replay)' : ''),
          el('td', { 'data-label': 'Events' }, String(d.events)),
          el('td', { 'data-label': 'Answer' }, d.httpStatus ? `HTTP ${d.httpStatus}` : '', d.error ? ` ${d.error}` : '', ` in ${d.durationMs} ms`)))))));
    panel.focus?.();
  }

  async function load() {
    const r = await api('GET', path);
    if (!r.ok) {
      alert('webhooks-alert', 'error', r.status === 404 ? 'There is no such service in your account.' : problem(r));
      show('webhooks');
      return;
    }
    const hooks = Array.isArray(r.data) ? r.data : r.data.items;
    show('webhooks', hooks.length === 0 ? el('p', { id: 'no-webhooks' }, 'No endpoints yet.') : el('div', { role: 'list', id: 'webhook-list' }, hooks.map(w => {
      const confirm = el('span', { hidden: true },
        el('button', { type: 'button', class: 'danger', onclick: async e => {
          busy(e.currentTarget, true, 'Removing…'); // the list is drawn again after, button and all
          const d = await api('DELETE', `${path}/${encodeURIComponent(w.id)}`);
          if (!d.ok) alert('webhooks-alert', 'error', problem(d)); else alert('webhooks-alert', 'good', `Removed ${w.url}.`);
          await load();
        } }, `Yes, remove ${w.url}`),
        ' ',
        el('button', { type: 'button', class: 'secondary', onclick: () => { confirm.hidden = true; } }, 'Keep it'));
      return el('div', { role: 'listitem', class: 'panel', 'data-webhook': w.id },
        el('p', {}, el('strong', { class: 'mono' }, w.url)),
        el('p', { class: 'muted' }, `Events: ${w.eventTypes.join(', ')}. Added ${dateTime(w.createdAt)}.`),
        w.failingSince ? el('p', { class: 'status bad' }, `Failing since ${dateTime(w.failingSince)}: ${w.lastError || 'no answer'}. We keep trying for 24 hours.`) : null,
        el('div', { class: 'actions' },
          el('button', { type: 'button', class: 'secondary', onclick: () => showDeliveries(w) }, `Recent calls to ${w.url}`),
          el('button', { type: 'button', class: 'secondary', 'data-needs': 'account', onclick: async e => {
            // currentTarget is gone once the handler awaits: keep the button.
            const button = e.currentTarget;
            busy(button, true, 'Making a new secret…');
            const s = await api('POST', `${path}/${encodeURIComponent(w.id)}/secret`);
            busy(button, false);
            if (!s.ok) { alert('webhooks-alert', 'error', problem(s)); return; }
            show('secret', secretBox(`New signing secret for ${w.url} (the old one stops signing now):`, s.data.secret));
            document.getElementById('secret').scrollIntoView();
          } }, `New secret for ${w.url}`),
          el('button', { type: 'button', class: 'danger', 'data-needs': 'account', onclick: () => { confirm.hidden = false; } }, `Remove ${w.url}`),
          confirm));
    })));
  }

  const form = document.getElementById('create-form');
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const button = form.querySelector('button[type=submit]');
    const chosen = [...form.querySelectorAll('#event-choices input:checked')].map(i => i.value);
    busy(button, true, 'Adding…');
    const r = await api('POST', path, { url: form.url.value.trim(), eventTypes: chosen });
    busy(button, false);
    fieldProblems(form, 'create-alert', r);
    if (!r.ok) { show('secret'); return; }
    form.reset();
    show('secret', secretBox(`Endpoint ${r.data.url} added. Its signing secret:`, r.data.secret));
    await load();
  });

  await load();
});
