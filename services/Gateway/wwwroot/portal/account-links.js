'use strict';
// The pages mailed links lead to: forgot password (/forgot-password), choose a new password (/reset-password) and
// confirm the e-mail address (/verify-email). The token comes in the URL's fragment, which the browser never sends
// to a server; it is read once and taken out of the address bar and history.
document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, show, alert, problem, busy, fieldProblems, session } = Portal;
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (location.hash) history.replaceState(null, '', location.pathname);
  const askAgain = () => el('a', { href: '/forgot-password' }, 'Ask for a new link');

  const forgot = document.getElementById('forgot');
  forgot?.addEventListener('submit', async e => {
    e.preventDefault();
    const button = e.submitter || forgot.querySelector('button');
    busy(button, true, 'Sending…');
    const r = await api('POST', '/api/auth/password-reset', { email: document.getElementById('email').value.trim() }, { anonymous: true });
    busy(button, false);
    fieldProblems(forgot, 'form-error', r);
    if (!r.ok) return;
    alert('form-error', 'ok', r.data.message);
    forgot.replaceWith(el('p', {}, 'No mail after a few minutes? Look in the spam folder, then ask again.'));
  });

  const reset = document.getElementById('reset');
  if (reset) {
    if (!token) {
      alert('form-error', 'error', 'This page needs the link from the e-mail we sent. Open the link from the mail, or ask for a new one.');
      reset.replaceWith(el('p', {}, askAgain()));
      return;
    }
    reset.addEventListener('submit', async e => {
      e.preventDefault();
      const button = e.submitter || reset.querySelector('button');
      busy(button, true, 'Saving…');
      const r = await api('POST', '/api/auth/password-reset/confirm', { token, newPassword: document.getElementById('newPassword').value }, { anonymous: true });
      busy(button, false);
      if (r.data?.errors?.token) {
        alert('form-error', 'error', r.data.errors.token.join(' '));
        reset.replaceWith(el('p', {}, askAgain()));
        return;
      }
      fieldProblems(reset, 'form-error', r);
      if (!r.ok) return;
      // A session in this tab started with the old password has ended too.
      if (session()) sessionStorage.removeItem('promta.session');
      alert('form-error', 'ok', 'Your password is changed. Every earlier log-in has ended.');
      reset.replaceWith(el('p', {}, el('a', { href: '/login', class: 'button' }, 'Log in with the new password')));
    });
  }

  if (document.getElementById('verify-status')) {
    if (!token) { show('verify-status', 'This page needs the link from the e-mail we sent you at sign-up.'); return; }
    const r = await api('POST', '/api/auth/email-verification/confirm', { token }, { anonymous: true });
    if (r.ok) {
      show('verify-status', 'Thank you: your e-mail address is confirmed. ', el('a', { href: session() ? '/account' : '/login' }, session() ? 'Back to your account' : 'Log in'));
    } else {
      show('verify-status', problem(r), ' ', 'Log in and open ', el('a', { href: '/account' }, 'your account'), ' to get a new link.');
    }
  }
});
