'use strict';
// The customer's services as cards. A service is only as far as its order: a declined or unconfirmed payment is
// shown as such, not as a service "being set up" (issue 18).
document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, show, alert, problem, date, statusClass, statusText, requireLogin } = Portal;
  if (!requireLogin()) return;
  const list = r => Array.isArray(r.data) ? r.data : r.data.items;
  const [r, orders, catalog] = await Promise.all([
    api('GET', '/api/services?pageSize=100'),
    api('GET', '/api/orders?pageSize=100'),
    api('GET', '/api/products', undefined, { anonymous: true }),
  ]);
  if (!r.ok) { alert('services-alert', 'error', problem(r)); return; }
  const services = list(r);
  const orderOf = new Map(orders.ok ? list(orders).map(o => [o.serviceId, o]) : []);
  const planOf = id => (catalog.ok ? list(catalog) : []).find(p => p.id === id)?.name || id;
  if (services.length === 0) {
    show('services', el('p', {}, 'You have no services yet. ', el('a', { href: '/' }, 'See the plans and order one.')));
    return;
  }
  show('services', services.map(s => {
    const order = orderOf.get(s.serviceId);
    // A Pending service whose order's payment failed never started: say so and point at the order.
    const state = s.status === 'Pending' && order && ['PaymentFailed', 'Placed', 'InReview', 'Cancelled'].includes(order.status)
      ? (order.status === 'PaymentFailed' ? 'PaymentNotCompleted' : order.status) : s.status;
    const label = state === 'PaymentNotCompleted' ? 'Payment not completed' : statusText(state);
    const plan = planOf(s.productId);
    return el('article', { class: 'card service-card', 'aria-labelledby': 'svc-' + s.serviceId, 'data-service-id': s.serviceId },
      el('h2', { id: 'svc-' + s.serviceId }, plan),
      el('p', {}, el('span', { class: statusClass(state === 'PaymentNotCompleted' ? 'PaymentFailed' : state), 'data-status': state }, label)),
      el('dl', { class: 'facts' },
        el('dt', {}, 'Hostname'), el('dd', { class: 'mono' }, s.hostname || 'Assigned at setup'),
        el('dt', {}, 'IPs'), el('dd', { class: 'mono' }, s.ips.length ? s.ips.join(', ') : 'Assigned at setup'),
        el('dt', {}, 'Paid through'), el('dd', {}, s.paidThrough ? date(s.paidThrough) : 'Not paid'),
        s.endsOn ? [el('dt', {}, 'Ends on'), el('dd', {}, date(s.endsOn))] : null),
      state === 'PaymentNotCompleted'
        ? el('a', { class: 'button secondary', href: '/orders/' + order.orderId, 'aria-label': `See the order for ${plan}` }, 'See the order')
        : el('a', { class: 'button', href: '/services/' + s.serviceId, 'aria-label': `Manage ${plan}${s.hostname ? ' ' + s.hostname : ''}` }, 'Manage'));
  }));
});
