'use strict';
// The order form keeps what was chosen in sessionStorage while the visitor is on Stripe's page; the order itself is
// placed after Stripe redirects back (checkout.js), with the Checkout Session id as its Idempotency-Key.
//
// Back after paying lands here again (Stripe's page in between): a Checkout Session started from this form that was
// completed sends the customer to its order's status, never to a second order (issue 18).
const lastCheckoutKey = 'promta.checkout.last';

async function resumeCompletedCheckout() {
  const last = sessionStorage.getItem(lastCheckoutKey);
  if (!last) return false;
  const done = sessionStorage.getItem('promta.checkout.' + last + '.done');
  if (done) { location.replace(done); return true; }
  const checkout = await Portal.api('GET', '/api/checkout-sessions/' + encodeURIComponent(last));
  // A completed session whose order was not placed yet: the return page places it (once, by its Idempotency-Key).
  if (checkout.ok && checkout.data.status === 'complete') { location.replace('/checkout/done?session_id=' + encodeURIComponent(last)); return true; }
  return false;
}

const cameBack = () => performance.getEntriesByType('navigation')[0]?.type === 'back_forward';

// A page restored from the back/forward cache runs no DOMContentLoaded: its button may still say "Opening Stripe…".
window.addEventListener('pageshow', async e => {
  if (!e.persisted) return;
  if (await resumeCompletedCheckout()) return;
  const button = document.querySelector('#order button[type="submit"]');
  if (button) Portal.busy(button, false);
});

document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, show, money, problem, alert, busy, requireLogin } = Portal;
  if (!requireLogin()) return;
  if (cameBack() && await resumeCompletedCheckout()) return;
  const wanted = new URLSearchParams(location.search).get('product');
  const r = await api('GET', '/api/products', undefined, { anonymous: true });
  if (!r.ok) { alert('form-error', 'error', problem(r)); return; }
  const products = Array.isArray(r.data) ? r.data : r.data.items;
  const chosen = products.some(p => p.id === wanted) ? wanted : products[0]?.id;
  show('plans', products.map(p => el('label', { class: 'choice', for: 'plan-' + p.id },
    el('input', { type: 'radio', name: 'productId', id: 'plan-' + p.id, value: p.id, checked: p.id === chosen }),
    `${p.name}: ${money(p.monthlyPrice)} per month excl. VAT, ${p.ips} dedicated IP${p.ips === 1 ? '' : 's'}, unlimited emails`)));

  const domainPattern = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
  document.getElementById('order').addEventListener('submit', async e => {
    e.preventDefault();
    const productId = document.querySelector('input[name="productId"]:checked')?.value;
    const sendingDomain = document.getElementById('sendingDomain').value.trim();
    const specialRequirements = document.getElementById('specialRequirements').value.trim();
    const domainInput = document.getElementById('sendingDomain');
    if (!productId) { alert('form-error', 'error', 'Choose a plan.'); return; }
    if (sendingDomain && !domainPattern.test(sendingDomain)) {
      domainInput.setAttribute('aria-invalid', 'true');
      alert('form-error', 'error', 'The sending domain must be a domain name such as mail.example.com.');
      domainInput.focus();
      return;
    }
    domainInput.removeAttribute('aria-invalid');
    const button = e.submitter || e.target.querySelector('button');
    busy(button, true, 'Opening Stripe…');
    const started = await api('POST', '/api/checkout-sessions',
      { successUrl: '/checkout/done?session_id={CHECKOUT_SESSION_ID}', cancelUrl: location.pathname + location.search });
    if (!started.ok) { busy(button, false); alert('form-error', 'error', problem(started)); return; }
    sessionStorage.setItem('promta.checkout.' + started.data.id, JSON.stringify({
      purpose: 'order', productId, sendingDomain: sendingDomain || null, specialRequirements: specialRequirements || null,
    }));
    sessionStorage.setItem(lastCheckoutKey, started.data.id);
    location.assign(started.data.url);
  });
});
