'use strict';
// Stripe sends the browser here after the card was saved. Only the PaymentMethod id comes back (from Billing, which
// asks Stripe); then the order is placed, or the card on file replaced, exactly once per Checkout Session.
//
// The tab remembers what each Checkout Session led to (promta.checkout.<id>.done): Back from the order's page shows
// Stripe's form again, and saving it returns here with the same session, which must lead to the same order (it does
// on the server too: the session id is the order's Idempotency-Key), never to "start again" and a second payment.
document.addEventListener('DOMContentLoaded', async () => {
  const { api, problem, alert, requireLogin } = Portal;
  if (!requireLogin()) return;
  const progress = document.getElementById('progress');
  const fail = text => { progress.textContent = 'Your payment could not be completed.'; alert('form-error', 'error', text); };
  const sessionId = new URLSearchParams(location.search).get('session_id') || '';
  const key = 'promta.checkout.' + sessionId;
  const done = sessionStorage.getItem(key + '.done');
  if (/^cs_[A-Za-z0-9_]+$/.test(sessionId) && done) { location.replace(done); return; }
  const pending = JSON.parse(sessionStorage.getItem(key) || 'null');
  if (!/^cs_[A-Za-z0-9_]+$/.test(sessionId) || !pending) { fail('This payment link is not valid in this browser tab. Start your order again from the pricing page.'); return; }

  const checkout = await api('GET', '/api/checkout-sessions/' + encodeURIComponent(sessionId));
  if (!checkout.ok) { fail(problem(checkout)); return; }
  if (checkout.data.status !== 'complete' || !checkout.data.paymentMethodId) { fail('Stripe has not saved a card for this payment. Start again and enter your card.'); return; }

  const finish = target => {
    sessionStorage.setItem(key + '.done', target);
    sessionStorage.removeItem(key);
    location.replace(target);
  };

  if (pending.purpose === 'card') {
    progress.textContent = 'Saving your new card…';
    const replaced = await api('POST', '/api/payment-methods', { paymentMethodId: checkout.data.paymentMethodId });
    if (!replaced.ok) { fail(problem(replaced)); return; }
    finish('/account?card=updated');
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
  finish('/orders/' + placed.data.orderId);
});
