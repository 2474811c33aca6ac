'use strict';
// Sign up and log in. After signing up the visitor is logged in with the same password: the API key the sign-up
// returns is not kept by the browser (it stays valid for scripts; the portal uses short-lived access tokens).
document.addEventListener('DOMContentLoaded', () => {
  const { api, logIn, problem, alert, busy, session } = Portal;
  const next = () => {
    const target = new URLSearchParams(location.search).get('next');
    // Only a path on this site: never an open redirect.
    return target && target.startsWith('/') && !target.startsWith('//') ? target : (session()?.staff ? '/staff' : '/services');
  };
  const value = id => document.getElementById(id).value.trim();
  // Switching between log in and sign up keeps where the visitor was going.
  const wanted = new URLSearchParams(location.search).get('next');
  if (wanted) for (const a of document.querySelectorAll('main a[href="/signup"], main a[href="/login"]')) a.href += '?next=' + encodeURIComponent(wanted);

  document.getElementById('signup')?.addEventListener('submit', async e => {
    e.preventDefault();
    const button = e.submitter || e.target.querySelector('button');
    busy(button, true, 'Creating your account…');
    const r = await api('POST', '/api/customers', { name: value('name'), email: value('email'), password: document.getElementById('password').value }, { anonymous: true });
    if (!r.ok) { busy(button, false); alert('form-error', 'error', problem(r)); return; }
    const login = await logIn(value('email'), document.getElementById('password').value);
    if (!login.ok) { busy(button, false); alert('form-error', 'error', 'Your account was created, but logging in failed: ' + problem(login)); return; }
    location.assign(next());
  });

  document.getElementById('login')?.addEventListener('submit', async e => {
    e.preventDefault();
    const button = e.submitter || e.target.querySelector('button');
    busy(button, true, 'Logging in…');
    const r = await logIn(value('email'), document.getElementById('password').value);
    if (!r.ok) { busy(button, false); alert('form-error', 'error', problem(r)); return; }
    location.assign(next());
  });
});
