'use strict';
// Stripe sends the browser here after the card was saved. Only the PaymentMethod id comes back (from Billing, which
// asks Stripe); then the order is placed, or the card on file replaced, exactly once per Checkout Session.
document.addEventListener('DOMContentLoaded', async () => {
  const { api, problem, alert, requireLogin } = Portal;
  if (!requireLogin()) return;
  const progress = document.getElementById('progress');
  const fail = text => { progress.textContent = 'Your payment could not be completed.'; alert('form-error', 'error', text); };
  const sessionId = new URLSearchParams(location.search).get('session_id') || '';
  const pending = JSON.parse(sessionStorage.getItem('promta.checkout.' + sessionId) || 'null');
  if (!/^cs_[A-Za-z0-9_]+$/.test(sessionId) || !pending) { fail('This payment link is not valid in this browser tab. Start your order again from the pricing page.'); return; }

  const checkout = await api('GET', '/api/checkout-sessions/' + encodeURIComponent(sessionId));
  if (!checkout.ok) { fail(problem(checkout)); return; }
  if (checkout.data.status !== 'complete' || !checkout.data.paymentMethodId) { fail('Stripe has not saved a card for this payment. Start again and enter your card.'); return; }

  if (pending.purpose === 'card') {
    progress.textContent = 'Saving your new card…';
    const replaced = await api('POST', '/api/payment-methods', { paymentMethodId: checkout.data.paymentMethodId });
    if (!replaced.ok) { fail(problem(replaced)); return; }
    sessionStorage.removeItem('promta.checkout.' + sessionId);
    location.replace('/invoices?card=updated');
    return;
  }

  progress.textContent = 'Placing your order…';
  const placed = await api('POST', '/api/orders', {
    productId: pending.productId,
    paymentMethodId: checkout.data.paymentMethodId,
    sendingDomain: pending.sendingDomain,
    specialRequirements: pending.specialRequirements,
  }, { headers: { 'Idempotency-Key': sessionId } });
  if (!placed.ok) { fail(problem(placed)); return; }
  sessionStorage.removeItem('promta.checkout.' + sessionId);
  location.replace('/orders/' + placed.data.orderId);
});
