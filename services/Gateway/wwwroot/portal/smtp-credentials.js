'use strict';
// A service's named SMTP credentials (issue 20): list with stream and last use, create (password shown once), revoke after a confirmation.
document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, show, alert, problem, dateTime, copyButton, busy, fieldProblems, requireLogin } = Portal;
  if (!requireLogin()) return;
  const serviceId = location.pathname.split('/').pop();
  const path = '/api/services/' + encodeURIComponent(serviceId) + '/smtp-credentials';
  const form = document.getElementById('credential-form');

  async function load() {
    const r = await api('GET', path);
    if (!r.ok) {
      // 409 before the service is live is said by the SMTP panel already; anything else is worth a line.
      show('credentials', r.status === 404 ? null : el('p', { class: 'muted' }, problem(r)));
      return;
    }
    const named = r.data.filter(c => c.id);
    show('credentials', named.length === 0 ? el('p', { class: 'muted' }, 'No other credentials yet.') : el('div', { class: 'table-wrap' }, el('table', { class: 'stack' },
      el('caption', {}, 'SMTP credentials besides the one above'),
      el('thead', {}, el('tr', {}, ...['Name', 'Username', 'Stream', 'Created', 'Last used', ''].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...named.map(c => el('tr', { 'data-credential': c.id },
        el('td', { 'data-label': 'Name' }, c.name),
        el('td', { 'data-label': 'Username', class: 'mono' }, c.username),
        el('td', { 'data-label': 'Stream' }, c.stream === 'transactional' ? 'Transactional (sent first)' : 'Bulk'),
        el('td', { 'data-label': 'Created' }, dateTime(c.createdAt)),
        el('td', { 'data-label': 'Last used' }, c.lastUsedAt ? `${dateTime(c.lastUsedAt)} from ${c.lastUsedIp}` : 'Never'),
        el('td', { 'data-label': 'State' }, c.revokedAt ? `Revoked ${dateTime(c.revokedAt)}`
          : el('button', { type: 'button', class: 'danger', 'data-needs': 'account', 'data-revoke': c.id, 'data-name': c.name, 'aria-label': `Revoke ${c.name}` }, 'Revoke'))))))));
  }

  document.getElementById('credentials').addEventListener('click', async e => {
    const button = e.target.closest('button[data-revoke]');
    if (!button) return;
    if (button.dataset.confirming !== 'yes') {
      // Two clicks: the first one says what will happen.
      button.dataset.confirming = 'yes';
      button.textContent = `Yes, revoke "${button.dataset.name}" now`;
      button.setAttribute('aria-label', button.textContent);
      return;
    }
    busy(button, true);
    const r = await api('DELETE', `${path}/${encodeURIComponent(button.dataset.revoke)}`);
    alert('credential-result', r.ok ? 'success' : 'error', r.ok ? `"${button.dataset.name}" is revoked: it can no longer log in.` : problem(r));
    await load();
  });

  form.addEventListener('submit', async e => {
    e.preventDefault();
    const button = form.querySelector('button[type=submit]');
    busy(button, true);
    const r = await api('POST', path, { name: form.elements.name.value, stream: form.elements.stream.value });
    busy(button, false);
    if (!r.ok) { fieldProblems(form, 'credential-result', r); return; }
    fieldProblems(form, 'credential-result', r);
    form.reset();
    const result = document.getElementById('credential-result');
    result.className = 'alert success new-key';
    result.replaceChildren(
      el('p', {}, `"${r.data.name}" is ready. Copy the password now: it is not shown again.`),
      el('p', {}, 'Username: ', el('code', {}, r.data.username), ' ', copyButton(r.data.username, 'the username')),
      el('p', {}, 'Password: ', el('code', { id: 'new-credential-password' }, r.data.password), ' ', copyButton(r.data.password, 'the password')));
    result.focus();
    await load();
  });

  await load();
});
