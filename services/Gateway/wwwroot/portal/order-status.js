'use strict';
// One order, live: its state in words, what the customer can do next, and the timeline. Polls until the order is
// live or over.
document.addEventListener('DOMContentLoaded', () => {
  const { api, el, show, alert, problem, timeline, poll, statusClass, statusText, orderState, declineText, money, requireLogin } = Portal;
  if (!requireLogin()) return;
  const orderId = location.pathname.split('/').pop();
  let shown = '';
  let products = null;

  async function describe(order) {
    products ??= await api('GET', '/api/products', undefined, { anonymous: true }).then(r => r.ok ? (Array.isArray(r.data) ? r.data : r.data.items) : []);
    const product = products.find(p => p.id === order.productId);
    show('order-facts', el('dl', { class: 'facts' },
      el('dt', {}, 'Order number'), el('dd', { class: 'mono' }, order.orderId),
      el('dt', {}, 'Plan'), el('dd', { id: 'order-plan' }, product ? product.name : order.productId),
      product ? [el('dt', {}, 'Price'), el('dd', {}, `${money(product.monthlyPrice)} per month, excl. VAT`)] : null));
  }

  poll(async () => {
    const r = await api('GET', '/api/orders/' + encodeURIComponent(orderId));
    if (!r.ok) { alert('order-alert', 'error', r.status === 404 ? 'There is no such order in your account.' : problem(r)); return r.status === 404; }
    const order = r.data;
    const state = orderState(order);
    const status = document.getElementById('order-status');
    status.textContent = statusText(state);
    status.dataset.status = order.status;
    status.className = statusClass(state);
    show('timeline', timeline(order));
    if (!shown) await describe(order);
    // A service exists to open only once the order was paid; a refused payment leaves nothing to manage.
    document.getElementById('service-link').hidden = ['Placed', 'PaymentFailed'].includes(order.status);
    document.getElementById('service-link').href = '/services/' + order.serviceId;
    if (state !== shown) {
      shown = state;
      const failed = [...order.timeline].reverse().find(e => e.status === 'PaymentFailed');
      const box = document.getElementById('order-alert');
      if (state === 'AwaitingAuthentication') {
        alert('order-alert', 'warn', 'Waiting for your bank: it asks you to confirm this payment (3-D Secure). Nothing is charged until you do. ');
        box.append(el('a', { href: /Complete the payment at (https?:\/\/\S+)/.exec(failed.detail)[1], id: 'bank-link' }, 'Confirm the payment with your bank'));
      } else if (state === 'PaymentFailed') {
        alert('order-alert', 'error', `Payment failed: ${declineText(failed?.detail) || 'your card was refused.'} Nothing was charged. Order again with another card. `);
        box.append(el('a', { href: '/order?product=' + encodeURIComponent(order.productId) }, 'Order again'));
      } else if (state === 'Placed') alert('order-alert', 'ok', 'Order received. We are charging your card for the first month.');
      else if (state === 'InReview') alert('order-alert', 'warn', 'Paid. An account manager is reviewing your special requirements and will set the setup date.');
      else if (state === 'Paid' || state === 'Provisioned' || state === 'ReverseDnsRequested') alert('order-alert', 'ok', 'Paid. We are setting up your server; this page follows each step.');
      else if (state === 'Active') alert('order-alert', 'ok', 'Your service is live. Open it for the SMTP settings.');
      else if (state === 'Cancelled') alert('order-alert', 'warn', 'This order was cancelled. See the timeline for the reason.');
      else alert('order-alert', 'ok', '');
    }
    return order.status === 'Active' || order.status === 'Cancelled';
  }, 1500);
});
