'use strict';
// Queue control for one service (issue 20): the queue by provider, domain and age; pause and resume a provider or
// everything; retry deferred mail now; remove mail by filter after counting it; the audit log of these actions.
document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, show, alert, problem, dateTime, busy, requireLogin, fieldProblems, table } = Portal;
  if (!requireLogin()) return;
  const serviceId = location.pathname.split('/')[2];
  const path = '/api/services/' + encodeURIComponent(serviceId) + '/queue';
  document.getElementById('back-to-service').href = '/services/' + encodeURIComponent(serviceId);
  const actionText = { pause: 'Paused', resume: 'Resumed', purge: 'Removed from the queue', requeue: 'Retried now' };
  const ageText = band => band.maxAgeMinutes == null ? `${band.minAgeMinutes / 60} hours and older`
    : band.minAgeMinutes < 60 && band.maxAgeMinutes <= 60 ? `${band.minAgeMinutes}-${band.maxAgeMinutes} minutes` : `${band.minAgeMinutes / 60}-${band.maxAgeMinutes / 60} hours`;
  const filterText = f => Object.entries(f).filter(([, v]) => v !== null && v !== false && v !== '*').map(([k, v]) => `${k} ${v}`).join(', ') || 'everything';

  async function load() {
    const r = await api('GET', path);
    if (!r.ok) {
      alert('queue-alert', 'error', r.status === 404 ? 'There is no such service in your account.' : problem(r));
      return;
    }
    const q = r.data;
    const held = new Map(q.holds.map(h => [h.provider, h]));
    const whole = held.get('*');
    const providers = new Set([...q.providers.map(p => p.provider), ...q.holds.map(h => h.provider).filter(p => p !== '*')]);
    show('lanes', whole ? el('p', { class: 'alert warn', id: 'whole-hold' }, `All sending is paused since ${dateTime(whole.heldAt)}${whole.heldBy.startsWith('operator:') ? ' by ProMTA staff' : ''}.`) : null,
      providers.size === 0 ? el('p', {}, 'Nothing is waiting: every message has been delivered or has ended.') :
      table('Queued recipients per provider', ['Provider', 'Queued', 'Held', 'Sending', 'Due', 'Scheduled', 'Deferred before', 'Oldest', 'Action'],
        [...providers].sort().map(name => {
          const p = q.providers.find(x => x.provider === name) || { queued: 0, held: 0, sending: 0, due: 0, scheduled: 0, deferred: 0 };
          const hold = held.get(name);
          return [name, ...[p.queued, p.held, p.sending, p.due, p.scheduled, p.deferred].map(String), p.oldestReceivedAt ? dateTime(p.oldestReceivedAt) : '',
            el('button', { type: 'button', class: hold ? '' : 'secondary', 'data-needs': 'account', 'data-lane': name, 'data-action': hold ? 'resume' : 'pause',
              'aria-label': `${hold ? 'Resume' : 'Pause'} sending to ${name}` }, hold ? 'Resume' : 'Pause')];
        })));
    document.getElementById('pause-all').hidden = !!whole;
    document.getElementById('resume-all').hidden = !whole;
    show('domains', q.domains.length === 0 ? null : table(`Domains with the most queued mail (top ${q.domains.length})`, ['Domain', 'Provider', 'Queued', 'Oldest'],
      q.domains.map(d => [el('span', { class: 'mono' }, d.domain), d.provider, String(d.queued), dateTime(d.oldestReceivedAt)])));
    show('ages', table('Queued recipients by age', ['Received', 'Queued'], q.ages.map(a => [ageText(a), String(a.queued)])));
    show('actions', q.recentActions.length === 0 ? el('p', { class: 'muted' }, 'No queue actions yet.') : table('Newest first', ['When', 'What', 'Which mail', 'Recipients', 'By'],
      q.recentActions.map(a => [dateTime(a.occurredAt), actionText[a.action] || a.action, filterText(a.filter), String(a.affected),
        a.actor.startsWith('operator:') ? 'ProMTA staff' : 'You'])));
  }

  async function lane(action, provider, button) {
    busy(button, true);
    const r = await api('POST', `${path}/${action}`, provider ? { provider } : {});
    busy(button, false);
    const what = provider ? `Sending to ${provider}` : 'All sending';
    alert('lane-result', r.ok ? 'success' : 'error', r.ok
      ? `${what} ${action === 'pause' ? 'is paused' : 'is resumed'}${r.data.changed ? '' : ' (it already was)'}.`
      : problem(r));
    await load();
  }

  document.getElementById('lanes').addEventListener('click', e => {
    const button = e.target.closest('button[data-lane]');
    if (button) lane(button.dataset.action, button.dataset.lane, button);
  });
  document.getElementById('pause-all').addEventListener('click', e => lane('pause', null, e.currentTarget));
  document.getElementById('resume-all').addEventListener('click', e => lane('resume', null, e.currentTarget));
  document.getElementById('requeue-all').addEventListener('click', async e => {
    const button = e.currentTarget; // null once the handler has awaited
    busy(button, true);
    const r = await api('POST', `${path}/requeue`, {});
    busy(button, false);
    alert('lane-result', r.ok ? 'success' : 'error', r.ok ? `${r.data.requeued} deferred recipients will be tried now.` : problem(r));
    await load();
  });

  const form = document.getElementById('purge-form');
  const run = document.getElementById('purge-run');
  function filter() {
    const data = Object.fromEntries([...new FormData(form)].filter(([, v]) => String(v).trim() !== '').map(([k, v]) => [k, String(v).trim()]));
    // A number goes as a number; anything else as typed, for the API to refuse by name.
    if (data.olderThanMinutes !== undefined && /^\d+$/.test(data.olderThanMinutes)) data.olderThanMinutes = Number(data.olderThanMinutes);
    return data;
  }
  // Any change of the filter asks for a new count before anything can be removed.
  form.addEventListener('input', () => { run.hidden = true; });
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const button = document.getElementById('purge-count');
    busy(button, true);
    const r = await api('POST', `${path}/purge`, { ...filter(), dryRun: true });
    busy(button, false);
    if (!r.ok) { fieldProblems(form, 'purge-result', r); run.hidden = true; return; }
    const inFlight = r.data.inFlight ? ` ${r.data.inFlight} more are being sent right now and are left alone.` : '';
    alert('purge-result', 'info', `${r.data.matched} queued recipients match.${inFlight}`);
    run.hidden = r.data.matched === 0;
    run.textContent = `Remove these ${r.data.matched} recipients`;
  });
  run.addEventListener('click', async () => {
    busy(run, true);
    const r = await api('POST', `${path}/purge`, filter());
    busy(run, false);
    run.hidden = true;
    alert('purge-result', r.ok ? 'success' : 'error', r.ok ? `${r.data.purged} recipients were removed from the queue; they will not be sent.` : problem(r));
    await load();
  });

  await load();
});
