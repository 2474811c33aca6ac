'use strict';
document.addEventListener('DOMContentLoaded', () => {
  const { api, el, show, alert, problem, timeline, poll, statusClass, requireLogin } = Portal;
  if (!requireLogin()) return;
  const orderId = location.pathname.split('/').pop();
  let shown = '';
  poll(async () => {
    const r = await api('GET', '/api/orders/' + encodeURIComponent(orderId));
    if (!r.ok) { alert('order-alert', 'error', r.status === 404 ? 'There is no such order in your account.' : problem(r)); return r.status === 404; }
    const order = r.data;
    const status = document.getElementById('order-status');
    status.textContent = order.status;
    status.className = statusClass(order.status);
    show('timeline', timeline(order));
    const link = document.getElementById('service-link');
    link.href = '/services/' + order.serviceId;
    link.hidden = false;
    if (order.status !== shown) {
      shown = order.status;
      const failed = [...order.timeline].reverse().find(e => e.status === 'PaymentFailed');
      if (order.status === 'PaymentFailed') {
        alert('order-alert', 'error', `Payment failed: ${(failed?.detail || 'your card was refused.').replace(/ Complete the payment at \S+/, '').replace(/ \([a-z_]+\)$/, '')} ` +
          (/(https?:\/\/\S+)/.test(failed?.detail || '') ? 'Authenticate the payment with your bank using the link in the timeline below.' : 'Nothing was charged. Order again with another card.'));
        if (!/(https?:\/\/\S+)/.test(failed?.detail || '')) {
          document.getElementById('order-alert').append(' ', el('a', { href: '/order?product=' + encodeURIComponent(order.productId) }, 'Order again'));
        }
      } else if (order.status === 'InReview') alert('order-alert', 'warn', 'Paid. An account manager is reviewing your special requirements and will set the setup date.');
      else if (order.status === 'Active') alert('order-alert', 'ok', 'Your service is live. Open it for the SMTP settings.');
      else if (order.status === 'Cancelled') alert('order-alert', 'warn', 'This order was cancelled. See the timeline for the reason.');
      else alert('order-alert', 'ok', '');
    }
    return order.status === 'Active' || order.status === 'Cancelled';
  }, 1500);
});
