'use strict';
// A service's reputation (issue 20): what the DNS blocklists say now and before, and per dedicated IP and sending domain
// the last two weeks of acceptance, deferrals and complaints, the numbers mailbox providers judge a sender by.
document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, show, problem, date, dateTime, requireLogin, table } = Portal;
  if (!requireLogin()) return;
  const serviceId = location.pathname.split('/').pop();
  const r = await api('GET', '/api/services/' + encodeURIComponent(serviceId) + '/reputation');
  if (!r.ok) { show('reputation', r.status === 404 ? null : el('p', { class: 'muted' }, problem(r))); return; }
  const { blocklists, listed, history, since, addresses, domains } = r.data;
  const lists = blocklists.map(b => b.zone).join(', ');
  const what = l => l.kind === 'ip' ? `IP ${l.subject}` : `domain ${l.subject}`;
  const past = history.filter(l => l.delistedAt);
  // A rate the server could not compute (nothing sent) is a dash, never 0 % or 100 %.
  const percent = (rate, digits = 1) => rate == null ? '–' : `${(rate * 100).toFixed(digits)} %`;
  const listedBy = zones => zones.length === 0 ? 'none' : zones.join(', ');
  const days = d => el('details', {}, el('summary', {}, 'By day'),
    d.days.length === 0 ? el('p', { class: 'muted' }, 'No mail from it in this period.') :
    table(null, ['Day', 'Delivered', 'Deferred', 'Bounced', 'Complaints'],
      d.days.map(x => [date(x.day), String(x.delivered), String(x.deferred), String(x.bounced), String(x.complained)])));
  show('reputation',
    blocklists.length === 0 ? el('p', {}, 'No blocklists are watched for this service.') :
    listed.length === 0 ? el('p', { id: 'reputation-clean' }, `No listing seen on the watched lists (${lists}).`) :
    el('ul', { id: 'reputation-listed' }, ...listed.map(l => el('li', { class: 'alert warn' },
      `Your ${what(l)} is listed by ${l.zone} since ${dateTime(l.listedAt)} (${l.answer}). `,
      l.kind === 'ip' ? 'Mail to the providers that use this list goes from your other IPs, or waits until it is delisted.' : 'Providers that use this list may refuse mail from it.'))),
    past.length === 0 ? null : el('details', {}, el('summary', {}, `Earlier listings (${past.length})`),
      el('ul', {}, ...past.map(l => el('li', {}, `${what(l)} on ${l.zone}: ${dateTime(l.listedAt)} to ${dateTime(l.delistedAt)}`)))),
    addresses.length === 0 ? null : el('div', { id: 'reputation-ips' },
      table(`Your IPs since ${date(since)}: accepted is delivered per attempt; complaints per delivered message (providers start refusing near 0.3 %)`,
        ['IP', 'Listed by', 'Delivered', 'Accepted', 'Deferred', 'Complaints', 'Trend'],
        addresses.map(a => [a.ip, listedBy(a.listedBy), String(a.totals.delivered), percent(a.totals.acceptanceRate), percent(a.totals.deferralRate),
          `${a.totals.complained} (${percent(a.totals.complaintRate, 2)})`, days(a)]))),
    domains.length === 0 ? null : el('div', { id: 'reputation-domains' },
      table(`Your sending domains since ${date(since)}`, ['Domain', 'Listed by', 'Complaints'],
        domains.map(d => [d.domain, listedBy(d.listedBy), String(d.complained)]))));
});
