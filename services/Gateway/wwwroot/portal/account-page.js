'use strict';
// The customer's own account (/account): profile, password, API keys, billing details, card on file, log out
// everywhere. (account.js is the log-in and sign-up forms.) Every form puts the API's problem details next to the
// field they name. Everything is read from the API on load, so reload and Back show the current state.
document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, show, alert, problem, busy, requireLogin, fieldProblems, replaceToken, copyButton, dateTime, logOut } = Portal;
  if (!requireLogin()) return;
  if (new URLSearchParams(location.search).get('card') === 'updated') alert('account-alert', 'ok', 'Your new card is saved. Renewals and unpaid renewal invoices are charged to it.');

  const roles = { customer: 'Customer', 'account-manager': 'Account manager', operator: 'Operator' };
  const me = await api('GET', '/api/me');
  if (me.ok) show('me', el('dt', {}, 'Name'), el('dd', {}, me.data.name), el('dt', {}, 'E-mail'), el('dd', { id: 'me-email' }, me.data.email),
    el('dt', {}, 'Account'), el('dd', {}, roles[me.data.role] || me.data.role));
  else show('me', el('dt', {}, 'Profile'), el('dd', {}, problem(me)));
  // An unconfirmed address may do everything (docs/portal.md); the page asks for it and can mail a new link.
  if (me.ok && !me.data.emailVerified) {
    document.getElementById('verify').hidden = false;
    document.getElementById('verify-again').addEventListener('click', async e => {
      busy(e.target, true, 'Sending…');
      const r = await api('POST', '/api/account/email-verification');
      busy(e.target, false);
      alert('verify-alert', r.ok ? 'ok' : 'error', r.ok ? r.data.message : problem(r));
    });
  }

  // Change password: the answer carries a fresh token (older ones end), so this tab stays logged in.
  const passwordForm = document.getElementById('password-form');
  passwordForm.addEventListener('submit', async e => {
    e.preventDefault();
    const button = e.submitter || passwordForm.querySelector('button');
    busy(button, true, 'Changing…');
    const r = await api('PUT', '/api/account/password', {
      currentPassword: document.getElementById('currentPassword').value, newPassword: document.getElementById('newPassword').value,
    });
    busy(button, false);
    fieldProblems(passwordForm, 'password-alert', r);
    if (!r.ok) return;
    replaceToken(r.data);
    passwordForm.reset();
    alert('password-alert', 'ok', 'Your password is changed. Other browsers are logged out.');
  });

  // API keys: listed by prefix; a new key is shown once, with a copy button.
  const loadKeys = async () => {
    const r = await api('GET', '/api/api-keys');
    if (!r.ok) { alert('keys-alert', 'error', problem(r)); return; }
    const keys = r.data.items;
    show('keys', keys.length === 0 ? el('p', {}, 'No API keys.') : el('div', { class: 'table-wrap' }, el('table', { class: 'stack' },
      el('caption', { class: 'muted' }, `${keys.filter(k => !k.revokedAt).length} active`),
      el('thead', {}, el('tr', {}, ['Key', 'Created', 'State', ''].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, keys.map(k => el('tr', { 'data-key': k.id },
        el('td', { 'data-label': 'Key' }, el('code', {}, k.prefix + '…')),
        el('td', { 'data-label': 'Created' }, dateTime(k.createdAt)),
        el('td', { 'data-label': 'State' }, k.revokedAt ? `Revoked ${dateTime(k.revokedAt)}` : k.expiresAt ? `Expires ${dateTime(k.expiresAt)}` : 'Active'),
        el('td', { 'data-label': 'Action' }, k.revokedAt ? '' : el('button', { type: 'button', class: 'secondary', onclick: ev => revoke(k, ev.currentTarget) }, `Revoke key ${k.prefix}…`))))))));
  };
  const revoke = async (key, button) => {
    if (!confirm(`Revoke the API key ${key.prefix}…? Scripts using it stop working within a minute.`)) return;
    busy(button, true, 'Revoking…');
    const r = await api('DELETE', `/api/api-keys/${key.id}`);
    if (!r.ok) { busy(button, false); alert('keys-alert', 'error', problem(r)); return; }
    alert('keys-alert', 'ok', `The key ${key.prefix}… is revoked.`);
    await loadKeys();
  };
  document.getElementById('create-key').addEventListener('click', async e => {
    const button = e.currentTarget;
    busy(button, true, 'Creating…');
    const r = await api('POST', '/api/api-keys');
    busy(button, false);
    if (!r.ok) { alert('keys-alert', 'error', problem(r)); return; }
    alert('keys-alert', '', '');
    // Shown once: the key is not stored anywhere in the browser and the API cannot show it again.
    show('new-key', el('div', { class: 'alert ok new-key' },
      el('p', {}, 'Your new API key. Copy it now: it is not shown again.'),
      el('code', { id: 'new-key-value' }, r.data.apiKey), ' ', copyButton(r.data.apiKey, 'the new API key')));
    await loadKeys();
  });
  await loadKeys();

  // Billing details: filled from the saved profile (404: none yet), saved with PUT.
  const fields = ['company', 'addressLine1', 'addressLine2', 'postalCode', 'city', 'country', 'vatId', 'billingEmail'];
  const profileForm = document.getElementById('billing-profile');
  const profile = await api('GET', '/api/account/billing-profile');
  if (profile.ok) for (const f of fields) document.getElementById(f).value = profile.data[f] ?? '';
  profileForm.addEventListener('submit', async e => {
    e.preventDefault();
    const button = e.submitter || profileForm.querySelector('button');
    busy(button, true, 'Saving…');
    const body = Object.fromEntries(fields.map(f => [f, document.getElementById(f).value.trim() || null]));
    const saved = await api('PUT', '/api/account/billing-profile', body);
    busy(button, false);
    fieldProblems(profileForm, 'profile-alert', saved);
    if (!saved.ok) return;
    const vat = saved.data.vatTreatment === 'ReverseCharge' ? 'VAT is reverse charged' : saved.data.vatTreatment === 'OutsideScope' ? 'no EU VAT applies' : `VAT is ${saved.data.vatRate}%`;
    alert('profile-alert', 'ok', `Saved. Invoices from now on are made out to ${saved.data.company}; ${vat}.`);
  });

  // One billing day (issue 17, docs/billing.md): for customers paying by bank transfer. The preview lists each service's
  // next unpaid period, shortened to the day and prorated; nothing already paid changes.
  const dayForm = document.getElementById('billing-day');
  const money = v => `${Number(v).toFixed(2)} EUR`;
  const moves = services => el('ul', {}, ...services.map(m => el('li', {}, m.transitionStart
    ? `${m.plan}: ${m.transitionStart} to ${m.transitionEnd} (${m.transitionDays} of ${m.monthDays} days, ${money(m.transitionNet)} net), then from ${m.firstCommonPeriodStart} on one invoice.`
    : `${m.plan}: from ${m.firstCommonPeriodStart} on one invoice.`)));
  const showDay = state => {
    const text = document.getElementById('billing-day-state');
    if (state.day) {
      text.textContent = `Your services renew on day ${state.day} of each month, on one invoice with a line per service.`;
      show('billing-day-services', moves(state.services));
      dayForm.hidden = true;
      return;
    }
    text.textContent = state.eligible
      ? 'You pay by bank transfer: you may have every service renew on the same day of the month, on one invoice.'
      : state.reason;
    dayForm.hidden = !state.eligible;
  };
  const dayState = await api('GET', '/api/account/billing-day');
  if (dayState.ok) showDay(dayState.data); else document.getElementById('billing-day-state').textContent = problem(dayState);
  document.getElementById('preview-day').addEventListener('click', async e => {
    const button = e.currentTarget;
    busy(button, true, 'Loading…');
    const preview = await api('GET', `/api/account/billing-day?day=${encodeURIComponent(document.getElementById('day').value.trim())}`);
    busy(button, false);
    fieldProblems(dayForm, 'billing-day-alert', preview);
    if (!preview.ok) return;
    show('billing-day-preview', moves(preview.data.services));
    document.getElementById('choose-day').hidden = false;
  });
  dayForm.addEventListener('submit', async e => {
    e.preventDefault();
    const button = document.getElementById('choose-day');
    busy(button, true, 'Saving…');
    const chosen = await api('PUT', '/api/account/billing-day', { day: Number(document.getElementById('day').value) });
    busy(button, false);
    fieldProblems(dayForm, 'billing-day-alert', chosen);
    if (!chosen.ok) return;
    showDay(chosen.data);
    alert('billing-day-alert', 'ok', `Saved: your services renew on day ${chosen.data.day}.`);
  });

  // The card on file: brand, last 4 and expiry only (Billing reads them from Stripe; the number never reaches us).
  const card = await api('GET', '/api/payment-methods/current');
  const brand = b => ({ visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express' })[b] || (b ? b[0].toUpperCase() + b.slice(1) : 'Card');
  document.getElementById('card').textContent = card.ok
    ? `${brand(card.data.brand)} ending in ${card.data.last4}, expires ${String(card.data.expMonth).padStart(2, '0')}/${card.data.expYear}.`
    : card.status === 404 ? 'No card on file yet: the card is given with your first order.' : problem(card);
  document.getElementById('change-card').addEventListener('click', async e => {
    const button = e.currentTarget;
    busy(button, true, 'Opening Stripe…');
    const started = await api('POST', '/api/checkout-sessions', { successUrl: '/checkout/done?session_id={CHECKOUT_SESSION_ID}', cancelUrl: '/account' });
    if (!started.ok) { busy(button, false); alert('account-alert', 'error', problem(started)); return; }
    sessionStorage.setItem('promta.checkout.' + started.data.id, JSON.stringify({ purpose: 'card' }));
    location.assign(started.data.url);
  });

  document.getElementById('logout-everywhere').addEventListener('click', async e => {
    if (!confirm('Log out of ProMTA in every browser, including this one?')) return;
    const button = e.currentTarget;
    busy(button, true, 'Logging out…');
    const r = await api('POST', '/api/auth/logout-everywhere');
    if (!r.ok) { busy(button, false); alert('sessions-alert', 'error', problem(r)); return; }
    logOut();
  });
});
