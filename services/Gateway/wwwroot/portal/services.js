'use strict';
document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, show, alert, problem, date, statusClass, requireLogin } = Portal;
  if (!requireLogin()) return;
  const r = await api('GET', '/api/services?pageSize=100');
  if (!r.ok) { alert('services-alert', 'error', problem(r)); return; }
  const services = Array.isArray(r.data) ? r.data : r.data.items;
  if (services.length === 0) {
    show('services', el('p', {}, 'You have no services yet. ', el('a', { href: '/' }, 'See the plans and order one.')));
    return;
  }
  show('services', services.map(s => el('article', { class: 'card', 'aria-labelledby': 'svc-' + s.serviceId },
    el('h2', { id: 'svc-' + s.serviceId }, s.hostname || s.productId),
    el('p', {}, el('span', { class: statusClass(s.status) }, s.status), ' ', s.productId),
    el('dl', { class: 'facts' },
      el('dt', {}, 'IPs'), el('dd', {}, s.ips.length ? s.ips.join(', ') : 'Being assigned'),
      el('dt', {}, 'Paid through'), el('dd', {}, s.paidThrough ? date(s.paidThrough) : 'Not yet paid'),
      s.endsOn ? [el('dt', {}, 'Ends on'), el('dd', {}, date(s.endsOn))] : null),
    el('a', { class: 'button', href: '/services/' + s.serviceId, 'aria-label': `Manage ${s.hostname || s.productId}` }, 'Manage'))));
});
