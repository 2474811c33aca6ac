'use strict';
// A service's standing with the DNS blocklists (issue 20): what is listed now, with the list's answer, and the past listings.
document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, show, problem, dateTime, requireLogin } = Portal;
  if (!requireLogin()) return;
  const serviceId = location.pathname.split('/').pop();
  const r = await api('GET', '/api/services/' + encodeURIComponent(serviceId) + '/reputation');
  if (!r.ok) { show('reputation', r.status === 404 ? null : el('p', { class: 'muted' }, problem(r))); return; }
  const { blocklists, listed, history } = r.data;
  const lists = blocklists.map(b => b.zone).join(', ');
  const what = l => l.kind === 'ip' ? `IP ${l.subject}` : `domain ${l.subject}`;
  const past = history.filter(l => l.delistedAt);
  show('reputation',
    blocklists.length === 0 ? el('p', {}, 'No blocklists are watched for this service.') :
    listed.length === 0 ? el('p', { id: 'reputation-clean' }, `No listing seen on the watched lists (${lists}).`) :
    el('ul', { id: 'reputation-listed' }, ...listed.map(l => el('li', { class: 'alert warn' },
      `Your ${what(l)} is listed by ${l.zone} since ${dateTime(l.listedAt)} (${l.answer}). `,
      l.kind === 'ip' ? 'Mail to the providers that use this list goes from your other IPs, or waits until it is delisted.' : 'Providers that use this list may refuse mail from it.'))),
    past.length === 0 ? null : el('details', {}, el('summary', {}, `Earlier listings (${past.length})`),
      el('ul', {}, ...past.map(l => el('li', {}, `${what(l)} on ${l.zone}: ${dateTime(l.listedAt)} to ${dateTime(l.delistedAt)}`)))));
});
