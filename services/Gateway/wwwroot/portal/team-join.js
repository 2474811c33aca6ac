'use strict';
// /team/join: the page an invitation mail links to. The token comes in the URL's fragment (never sent to a server),
// read once and taken out of the address bar. A new address makes its login here; an address that already has one
// joins with its password, or, signed in as that address, with one click. Either way the tab then acts on the new account.
document.addEventListener('DOMContentLoaded', () => {
  const { api, el, alert, busy, fieldProblems, adoptToken, switchAccount, session, problem } = Portal;
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (location.hash) history.replaceState(null, '', location.pathname);
  const form = document.getElementById('join');
  if (!token) {
    alert('form-error', 'error', 'This page needs the link from the invitation e-mail. Open the link from the mail, or ask for a new invitation.');
    form.replaceWith(el('p', {}, el('a', { href: '/login' }, 'Log in')));
    return;
  }
  const invalid = r => {
    if (!r.data?.errors?.token) return false;
    alert('form-error', 'error', r.data.errors.token.join(' '));
    form.replaceWith(el('p', {}, 'Ask whoever invited you to send a new invitation.'));
    document.getElementById('signed-in').hidden = true;
    return true;
  };

  const s = session();
  if (s && !s.staff) {
    document.getElementById('signed-in').hidden = false;
    document.getElementById('signed-in-text').textContent =
      `You are logged in as ${s.email}. If the invitation was sent to this address, join with this login; otherwise use the form below.`;
    document.getElementById('join-signed-in').addEventListener('click', async ev => {
      const button = ev.currentTarget;
      busy(button, true, 'Joining…');
      const r = await api('POST', '/api/account/memberships', { token });
      if (invalid(r)) return;
      if (!r.ok) { busy(button, false); alert('form-error', 'error', problem(r)); return; }
      const switched = await switchAccount(r.data.accountId);
      if (!switched.ok) { busy(button, false); alert('form-error', 'error', problem(switched)); return; }
      location.assign('/account/team');
    });
  }

  form.addEventListener('submit', async e => {
    e.preventDefault();
    const button = e.submitter || form.querySelector('button');
    busy(button, true, 'Joining…');
    const name = document.getElementById('name').value.trim();
    const r = await api('POST', '/api/team/invitations/accept',
      { token, name: name || null, password: document.getElementById('password').value }, { anonymous: true });
    busy(button, false);
    if (invalid(r)) return;
    if (r.status === 401 || r.data?.title === 'Name required') { alert('form-error', 'error', problem(r)); return; }
    fieldProblems(form, 'form-error', r);
    if (!r.ok) return;
    await adoptToken(r.data);
    location.assign('/account/team');
  });
});
