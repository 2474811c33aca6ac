'use strict';
// /account/team: the members, invitations and history of the account. What the page offers follows the caller's
// role (yourRole from the API); the server refuses the rest anyway (docs/teams.md).
document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, show, alert, problem, busy, fieldProblems, dateTime, requireLogin, switchAccount } = Portal;
  if (!requireLogin()) return;
  const names = { owner: 'Owner', admin: 'Admin', billing: 'Billing', 'read-only': 'Read-only' };
  let you = null;

  const manages = () => you === 'owner' || you === 'admin';
  // The account has one owner: nobody changes or removes them; they hand the account on below instead.
  const mayEdit = m => manages() && m.role !== 'owner';
  const roleChoices = () => Object.keys(names).filter(r => r !== 'owner');

  // The login's accounts; the other ones are a click away (the tab's token is exchanged for one acting there).
  const loadAccounts = async () => {
    const r = await api('GET', '/api/account/memberships');
    if (!r.ok) { show('accounts', el('p', {}, problem(r))); return; }
    show('accounts', el('ul', {}, r.data.map(a => el('li', { 'data-account': a.accountName },
      el('strong', {}, a.accountName), ` (${a.accountEmail}), your role: ${names[a.role] || a.role}`,
      a.current ? el('span', { class: 'muted' }, ' — acting on this account now') : [' ',
        el('button', { type: 'button', class: 'secondary', onclick: ev => switchTo(a, ev.currentTarget) }, `Switch to ${a.accountName} (${a.accountEmail})`)]))));
  };
  const switchTo = async (a, button) => {
    busy(button, true, 'Switching…');
    const r = await switchAccount(a.accountId);
    if (!r.ok) { busy(button, false); alert('accounts-alert', 'error', problem(r)); return; }
    location.assign('/account/team');
  };

  const load = async () => {
    const r = await api('GET', '/api/account/team');
    if (!r.ok) { alert('team-alert', 'error', problem(r)); return; }
    you = r.data.yourRole;
    show('your-role', `Your role: ${names[you] || you}.`, manages() ? '' : ' You can see the team; owners and admins change it.');
    document.getElementById('invite-panel').hidden = !manages();
    document.getElementById('audit-panel').hidden = !manages();
    const others = r.data.members.filter(m => !m.you);
    document.getElementById('transfer-panel').hidden = you !== 'owner' || others.length === 0;
    show('memberId', ...others.map(m => el('option', { value: m.id }, `${m.name} (${m.email}, ${names[m.role] || m.role})`)));

    show('members', el('div', { class: 'table-wrap' }, el('table', { class: 'stack' },
      el('thead', {}, el('tr', {}, ['Member', 'Role', 'Joined', ''].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, r.data.members.map(m => el('tr', { 'data-member': m.email },
        el('td', { 'data-label': 'Member' }, el('strong', {}, m.name), el('br'), m.email, m.you ? ' (you)' : ''),
        el('td', { 'data-label': 'Role' }, mayEdit(m) ? roleSelect(m) : names[m.role] || m.role),
        el('td', { 'data-label': 'Joined' }, dateTime(m.joinedAt)),
        el('td', { 'data-label': 'Action' }, mayEdit(m)
          ? el('button', { type: 'button', class: 'danger', onclick: ev => remove(m, ev.currentTarget) }, `Remove ${m.email}`) : '')))))));

    const invitations = r.data.invitations;
    show('invitations', invitations.length === 0 ? el('p', { class: 'muted' }, 'No invitation is waiting.') : el('div', { class: 'table-wrap' }, el('table', { class: 'stack' },
      el('thead', {}, el('tr', {}, ['Address', 'Role', 'Link works until', ''].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, invitations.map(i => el('tr', { 'data-invitation': i.email },
        el('td', { 'data-label': 'Address' }, i.email),
        el('td', { 'data-label': 'Role' }, names[i.role] || i.role),
        el('td', { 'data-label': 'Link works until' }, dateTime(i.expiresAt)),
        el('td', { 'data-label': 'Action' }, manages()
          ? el('button', { type: 'button', class: 'secondary', onclick: ev => revoke(i, ev.currentTarget) }, `Withdraw the invitation of ${i.email}`) : '')))))));
    if (manages()) await loadAudit();
  };

  const roleSelect = m => {
    const select = el('select', { 'aria-label': `Role of ${m.email}` },
      roleChoices().map(r => el('option', { value: r, selected: r === m.role }, names[r])));
    select.addEventListener('change', async () => {
      select.disabled = true;
      const r = await api('PUT', `/api/account/team/members/${m.id}`, { role: select.value });
      select.disabled = false;
      if (!r.ok) { alert('team-alert', 'error', problem(r)); select.value = m.role; return; }
      alert('team-alert', 'ok', `${m.email} is now ${names[select.value]}.`);
      await load();
    });
    return select;
  };

  const remove = async (m, button) => {
    if (!confirm(`Remove ${m.email} from the team? Their login and API keys stop working at once.`)) return;
    busy(button, true, 'Removing…');
    const r = await api('DELETE', `/api/account/team/members/${m.id}`);
    if (!r.ok) { busy(button, false); alert('team-alert', 'error', problem(r)); return; }
    alert('team-alert', 'ok', `${m.email} is removed from the team.`);
    await load();
  };

  const revoke = async (i, button) => {
    busy(button, true, 'Withdrawing…');
    const r = await api('DELETE', `/api/account/team/invitations/${i.id}`);
    if (!r.ok) { busy(button, false); alert('team-alert', 'error', problem(r)); return; }
    alert('team-alert', 'ok', `The invitation of ${i.email} is withdrawn: its link no longer works.`);
    await load();
  };

  const actions = {
    invited: 'invited', 'invitation-revoked': 'withdrew the invitation of', joined: 'joined:', 'role-changed': 'changed the role of', removed: 'removed',
    'ownership-transferred': 'handed the account to',
  };
  const loadAudit = async () => {
    const r = await api('GET', '/api/account/team/audit?pageSize=50');
    if (!r.ok) { show('audit', el('p', {}, problem(r))); return; }
    show('audit', r.data.items.length === 0 ? el('p', { class: 'muted' }, 'Nothing yet.') : el('ul', {}, r.data.items.map(e => el('li', {},
      el('span', { class: 'muted' }, dateTime(e.at)), ' ',
      e.action === 'joined' ? `${e.email} joined as ${names[e.role] || e.role}`
        : `${e.by || 'Someone'} ${actions[e.action] || e.action} ${e.email}` + (e.action === 'role-changed' ? ` from ${names[e.previousRole]} to ${names[e.role]}` : e.role ? ` (${names[e.role] || e.role})` : '')))));
  };

  const form = document.getElementById('invite');
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const button = e.submitter || form.querySelector('button');
    busy(button, true, 'Sending…');
    const r = await api('POST', '/api/account/team/invitations', { email: document.getElementById('email').value.trim(), role: document.getElementById('role').value });
    busy(button, false);
    fieldProblems(form, 'invite-alert', r);
    if (!r.ok) return;
    alert('invite-alert', 'ok', r.data.message);
    form.reset();
    await load();
  });

  const transfer = document.getElementById('transfer');
  transfer.addEventListener('submit', async e => {
    e.preventDefault();
    const select = document.getElementById('memberId');
    const who = select.options[select.selectedIndex]?.text;
    if (!confirm(`Make ${who} the owner of this account? You stay on the team as an admin.`)) return;
    const button = e.submitter || transfer.querySelector('button');
    busy(button, true, 'Handing over…');
    const r = await api('POST', '/api/account/team/ownership', { memberId: select.value, password: document.getElementById('transfer-password').value });
    busy(button, false);
    if (!r.ok) { alert('transfer-alert', 'error', problem(r)); return; }
    transfer.reset();
    alert('team-alert', 'ok', `${who} is now the owner; you are an admin.`);
    await load();
  });

  await load();
  await loadAccounts();
});
