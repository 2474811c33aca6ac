'use strict';
// Shared by every portal page. The access token lives in sessionStorage (this tab only, gone when it closes) and
// travels as a bearer header; nothing authenticates by cookie. Page content is built with textContent, never
// innerHTML, so data from the API cannot inject markup.
window.Portal = (() => {
  const sessionKey = 'promta.session';
  let redirecting = false;

  function session() {
    try {
      const s = JSON.parse(sessionStorage.getItem(sessionKey));
      if (s && s.accessToken && new Date(s.expiresAt) > new Date()) return s;
    } catch { /* absent or damaged: logged out */ }
    sessionStorage.removeItem(sessionKey);
    return null;
  }

  async function logIn(email, password) {
    const r = await api('POST', '/api/auth/token', { email, password }, { anonymous: true });
    if (!r.ok) return r;
    await adoptToken(r.data, email);
    return r;
  }

  /** Starts the tab's session with an access token (a log-in, or an accepted team invitation). */
  async function adoptToken(token, email) {
    const s = { accessToken: token.accessToken, expiresAt: token.expiresAt, email, staff: false };
    sessionStorage.setItem(sessionKey, JSON.stringify(s));
    // The API says who this is (role, staff or not, team role): the navigation and the offered actions follow it.
    const me = await api('GET', '/api/me');
    if (me.ok) Object.assign(s, { email: me.data.email, role: me.data.role, staff: me.data.staff, teamRole: me.data.teamRole });
    sessionStorage.setItem(sessionKey, JSON.stringify(s));
  }

  /**
   * Acts on another of the login's accounts (docs/teams.md): the tab's access token is exchanged for one naming that
   * account. Answers the API's reply; on success the tab's session is the new one.
   */
  async function switchAccount(accountId) {
    const s = session();
    if (!s) return { ok: false, status: 401, data: { detail: 'You are not logged in.' } };
    const r = await api('POST', '/api/auth/switch', { accessToken: s.accessToken, accountId }, { anonymous: true });
    if (r.ok) await adoptToken(r.data, s.email);
    return r;
  }

  /** Keeps the tab logged in with the fresh token a password change answers (it ends every older token). */
  function replaceToken(token) {
    const s = session();
    if (s) sessionStorage.setItem(sessionKey, JSON.stringify({ ...s, accessToken: token.accessToken, expiresAt: token.expiresAt }));
  }

  /**
   * Shows a problem details answer next to the fields it names (errors: { field: [messages] }, field = input id),
   * marking each input invalid; what names no field of the form goes to the form's alert. Returns nothing.
   */
  function fieldProblems(form, alertId, r) {
    for (const old of form.querySelectorAll('.field-error')) old.remove();
    for (const input of form.querySelectorAll('[aria-invalid]')) {
      input.removeAttribute('aria-invalid');
      input.setAttribute('aria-describedby', (input.getAttribute('aria-describedby') || '').replace(/\s*\S+-error\b/, '').trim());
      if (!input.getAttribute('aria-describedby')) input.removeAttribute('aria-describedby');
    }
    const errors = (r && r.data && r.data.errors) || {};
    const unplaced = [];
    let first = null;
    for (const [name, messages] of Object.entries(errors)) {
      const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
      if (!input) { unplaced.push(...messages); continue; }
      const note = el('span', { class: 'field-error', id: `${input.id}-error` }, messages.join(' '));
      input.after(note);
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), note.id].filter(Boolean).join(' '));
      first ??= input;
    }
    if (!r || r.ok) { alert(alertId, '', ''); return; }
    if (first) { alert(alertId, 'error', unplaced.length ? unplaced.join(' ') : 'Please correct the fields marked below.'); first.focus(); return; }
    alert(alertId, 'error', problem(r));
  }

  function logOut() {
    sessionStorage.removeItem(sessionKey);
    location.assign('/');
  }

  /** Calls the public API; resolves to { ok, status, data }. A 401 on an authenticated call sends the user to log in. */
  async function api(method, path, body, options = {}) {
    const headers = { Accept: 'application/json' };
    const s = options.anonymous ? null : session();
    if (s) headers.Authorization = 'Bearer ' + s.accessToken;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    Object.assign(headers, options.headers || {});
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit' });
    } catch {
      return { ok: false, status: 0, data: { detail: 'The server cannot be reached. Check your connection and try again.' } };
    }
    if (response.status === 401 && !options.anonymous) {
      sessionStorage.removeItem(sessionKey);
      if (options.stayOnPage) return { ok: false, status: 401, data: null };
      // Once per page: a page asking twice at once would otherwise start the navigation again and again.
      if (!redirecting) {
        redirecting = true;
        location.assign('/login?next=' + encodeURIComponent(location.pathname + location.search));
      }
      return new Promise(() => {});
    }
    const type = response.headers.get('content-type') || '';
    const data = type.includes('json') ? await response.json() : options.blob ? await response.blob() : null;
    return { ok: response.ok, status: response.status, data };
  }

  /** The user-facing text of a problem details answer: its detail, or each field's message. */
  function problem(r) {
    const d = r.data || {};
    if (d.errors) return Object.values(d.errors).flat().join(' ');
    if (r.status === 429) return d.detail || 'Too many attempts. Wait a minute and try again.';
    return d.detail || d.title || `Something went wrong (HTTP ${r.status}). Please try again.`;
  }

  /** Builds an element: el('a', { href: '/x', class: 'button' }, 'text', child). Strings become text nodes. */
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : String(c));
    return node;
  }

  /** A table that stacks into labelled lines on a phone (portal.css: table.stack) and never widens the page. */
  function table(caption, headers, rows, attrs = () => ({})) {
    return el('div', { class: 'table-wrap' }, el('table', { class: 'stack' },
      caption ? el('caption', {}, caption) : null,
      el('thead', {}, el('tr', {}, ...headers.map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...rows.map((cells, i) => el('tr', attrs(i), ...cells.map((c, j) => el('td', { 'data-label': headers[j] }, c)))))));
  }

  function show(target, ...children) {
    const node = typeof target === 'string' ? document.getElementById(target) : target;
    node.replaceChildren(...children.flat().filter(c => c !== null && c !== undefined));
    return node;
  }

  function alert(id, kind, text) {
    const node = document.getElementById(id);
    node.className = 'alert ' + kind;
    node.textContent = text;
    if (text) node.focus?.();
  }

  function money(m) {
    return new Intl.NumberFormat('en-GB', { style: 'currency', currency: m.currency }).format(m.amount);
  }

  function date(value) {
    if (!value) return '';
    const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(value + 'T12:00:00Z') : new Date(value);
    return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d);
  }

  /** A moment in the browser's own time zone, with the zone named ("5 Dec 2026, 15:04 CET"). */
  function dateTime(value) {
    return value ? new Intl.DateTimeFormat('en-GB', {
      day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short',
    }).format(new Date(value)) : '';
  }

  /** A small "Copy" button for a value the customer pastes elsewhere (SMTP settings, DNS records). */
  function copyButton(value, what) {
    const button = el('button', { type: 'button', class: 'secondary copy', 'aria-label': `Copy ${what}` }, 'Copy');
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(value);
        button.textContent = 'Copied';
      } catch {
        // No clipboard permission (an embedded or locked-down browser): select the text for a manual copy instead.
        const range = document.createRange();
        range.selectNodeContents(button.previousElementSibling || button.parentElement);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        button.textContent = 'Selected: press Ctrl+C';
      }
      setTimeout(() => { button.textContent = 'Copy'; }, 4000);
    });
    return button;
  }

  function requireLogin() {
    if (session()) return true;
    location.assign('/login?next=' + encodeURIComponent(location.pathname + location.search));
    return false;
  }

  function busy(button, isBusy, text) {
    button.disabled = isBusy;
    if (isBusy) { button.dataset.label = button.textContent; button.textContent = text || 'Please wait…'; }
    else if (button.dataset.label) button.textContent = button.dataset.label;
  }

  /** Calls fn every intervalMs until it returns true (done) or the page is left. */
  function poll(fn, intervalMs) {
    let stopped = false;
    const tick = async () => {
      if (stopped) return;
      let done = false;
      try { done = await fn(); } catch { /* a missed poll is retried */ }
      if (!done && !stopped) setTimeout(tick, intervalMs);
    };
    tick();
    return () => { stopped = true; };
  }

  const statusClass = s => ['Active', 'Paid', 'Provisioned', 'Normal'].includes(s) ? 'status good'
    : ['PaymentFailed', 'Cancelled', 'Suspended', 'Ended', 'Backoff'].includes(s) ? 'status bad'
    : ['AwaitingAuthentication', 'Ending', 'WarmingUp', 'InReview'].includes(s) ? 'status warn' : 'status';

  // Every status the API speaks, as the customer reads it. The codes stay in data-status for scripts and tests.
  const statusNames = {
    Placed: 'Order received', Paid: 'Paid', PaymentFailed: 'Payment failed', AwaitingAuthentication: 'Waiting for your bank',
    InReview: 'Being reviewed', Provisioned: 'Server set up', ReverseDnsRequested: 'Publishing the server\'s DNS name',
    Active: 'Live', Cancelled: 'Cancelled', Pending: 'Being set up', Suspended: 'Suspended (unpaid)', Ending: 'Cancelled, running to its end',
    Ended: 'Ended', Normal: 'Normal', Backoff: 'Slowed down by the provider', WarmingUp: 'Warming up (new IPs)',
    ServiceSuspended: 'Suspended', ServiceResumed: 'Resumed', ServiceTerminated: 'Terminated', ServiceEnded: 'Ended',
    CancellationScheduled: 'Cancellation scheduled', CancellationWithdrawn: 'Cancellation withdrawn', PaymentRefunded: 'Refunded',
    ReverseDnsPropagated: 'Server\'s DNS name published', SetupFailed: 'Setup needs our attention', ReverseDnsDelayed: 'DNS name taking longer',
    SendingDomainVerified: 'Sending domain verified', SendingDomainReleased: 'Sending domain released', DnsDriftRepaired: 'DNS records repaired',
  };
  /** The human name of a status code; an unknown code is split into words rather than shown glued. */
  const statusText = code => statusNames[code] || String(code || '').replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, c => c.toUpperCase());

  const payLink = /\s*Complete the payment at (https?:\/\/\S+)/;
  /** A PaymentFailed entry that carries the bank's authentication link (3-D Secure): not a refusal, a question. */
  const awaitsBank = entry => entry && entry.status === 'PaymentFailed' && payLink.test(entry.detail || '');
  /**
   * The order's status as the customer should read it: a payment the bank wants confirmed (3-D Secure) is waiting
   * for the bank, not failed, as long as nothing happened after it.
   */
  function orderState(order) {
    const last = order.timeline[order.timeline.length - 1];
    return order.status === 'PaymentFailed' && awaitsBank(last) ? 'AwaitingAuthentication' : order.status;
  }

  /** A decline's wording without Stripe's code in brackets ("Your card was declined. (generic_decline)"). */
  const declineText = detail => (detail || '').replace(payLink, '').replace(/\s*\([a-z_]+\)\s*$/, '').trim();

  /**
   * The order's timeline as an ordered list. The bank's link shows only while the order still waits for it: once
   * paid, a used link would lead to an error page.
   */
  function timeline(order) {
    const waiting = orderState(order) === 'AwaitingAuthentication';
    return el('ol', { class: 'timeline', 'aria-label': 'Order timeline' }, order.timeline.map((e, i) => {
      let detail = e.detail || '';
      let extra = null;
      if (awaitsBank(e)) {
        const current = waiting && i === order.timeline.length - 1;
        detail = current ? 'Your bank asks you to confirm this payment (3-D Secure).' : 'Your bank asked for confirmation (3-D Secure).';
        if (current) extra = el('a', { href: payLink.exec(e.detail)[1], class: 'pay-link' }, 'Confirm the payment with your bank');
      } else if (e.status === 'PaymentFailed') detail = declineText(detail);
      // Services write calendar dates as ISO (2026-12-05); the customer reads "5 December 2026".
      detail = detail.replace(/\b\d{4}-\d{2}-\d{2}\b/g, d => date(d));
      const name = awaitsBank(e) ? statusText('AwaitingAuthentication') : statusText(e.status);
      return el('li', { 'data-status': e.status }, el('strong', {}, name), ' ', el('span', { class: 'muted' }, dateTime(e.at)),
        detail || extra ? el('div', {}, detail, extra ? ' ' : null, extra) : null);
    }));
  }

  function showTeamRole(teamRole) {
    if (teamRole) document.documentElement.dataset.teamRole = teamRole;
    else delete document.documentElement.dataset.teamRole;
  }

  /**
   * An owner may change this login's role (or hand the account over) while the tab is open: each page asks again, so
   * the offered actions follow the role the services apply now, not the one at log-in.
   */
  async function refreshTeamRole() {
    const s = session();
    if (!s || s.staff) return;
    // On a public page a revoked session just ends here; the pages that need one send the user to log in themselves.
    const me = await api('GET', '/api/me', undefined, { stayOnPage: true });
    const now = session();
    if (!me.ok || !now || now.accessToken !== s.accessToken || me.data.teamRole === now.teamRole) return;
    sessionStorage.setItem(sessionKey, JSON.stringify({ ...now, teamRole: me.data.teamRole }));
    showTeamRole(me.data.teamRole);
  }

  function initNavigation() {
    const s = session();
    // Actions a team role may not take are hidden (portal.css, [data-needs]); the services refuse them anyway.
    showTeamRole(s && s.teamRole);
    refreshTeamRole();
    for (const item of document.querySelectorAll('[data-auth]')) {
      const want = item.dataset.auth;
      item.hidden = !(want === 'out' ? !s : want === 'in' ? !!s : want === 'staff' ? s && s.staff : s && !s.staff);
    }
    for (const a of document.querySelectorAll('header nav a')) {
      if (a.getAttribute('href') === location.pathname) a.setAttribute('aria-current', 'page');
    }
    document.getElementById('logout')?.addEventListener('click', logOut);
  }

  document.addEventListener('DOMContentLoaded', initNavigation);

  return {
    session, logIn, adoptToken, switchAccount, logOut, replaceToken, fieldProblems, api, problem, el, show, alert, money, date, dateTime, copyButton, requireLogin, busy, poll, table, statusClass, statusText,
    orderState, declineText, timeline,
  };
})();
