'use strict';
document.addEventListener('DOMContentLoaded', () => {
  const { api, el, alert, problem, busy } = Portal;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  document.getElementById('demo').addEventListener('submit', async e => {
    e.preventDefault();
    const value = id => document.getElementById(id).value.trim();
    const preferredTimes = ['time1', 'time2', 'time3'].map(value).filter(Boolean).map(t => `${t.replace('T', ' ')} (${zone})`);
    if (preferredTimes.length === 0) { alert('form-error', 'error', 'Give at least one preferred time.'); document.getElementById('time1').focus(); return; }
    const button = e.submitter || e.target.querySelector('button');
    busy(button, true, 'Sending…');
    const r = await api('POST', '/api/demo-requests', { name: value('name'), email: value('email'), company: value('company') || null, preferredTimes }, { anonymous: true });
    busy(button, false);
    if (!r.ok) { alert('form-error', 'error', problem(r)); return; }
    alert('form-error', 'ok', r.data.message);
    e.target.replaceWith(el('p', {}, el('a', { href: '/' }, 'Back to the plans')));
  });
});
