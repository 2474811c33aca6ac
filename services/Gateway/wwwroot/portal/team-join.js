'use strict';
// /team/join: the page an invitation mail links to. The token comes in the URL's fragment (never sent to a server),
// read once and taken out of the address bar; accepting logs the new member in.
document.addEventListener('DOMContentLoaded', () => {
  const { api, el, alert, busy, fieldProblems, adoptToken } = Portal;
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (location.hash) history.replaceState(null, '', location.pathname);
  const form = document.getElementById('join');
  if (!token) {
    alert('form-error', 'error', 'This page needs the link from the invitation e-mail. Open the link from the mail, or ask for a new invitation.');
    form.replaceWith(el('p', {}, el('a', { href: '/login' }, 'Log in')));
    return;
  }
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const button = e.submitter || form.querySelector('button');
    busy(button, true, 'Joining…');
    const r = await api('POST', '/api/team/invitations/accept',
      { token, name: document.getElementById('name').value.trim(), password: document.getElementById('password').value }, { anonymous: true });
    busy(button, false);
    if (r.data?.errors?.token) {
      alert('form-error', 'error', r.data.errors.token.join(' '));
      form.replaceWith(el('p', {}, 'Ask whoever invited you to send a new invitation.'));
      return;
    }
    fieldProblems(form, 'form-error', r);
    if (!r.ok) return;
    await adoptToken(r.data);
    location.assign('/account/team');
  });
});
