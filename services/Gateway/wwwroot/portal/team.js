'use strict';
// /account/team: the members, invitations and history of the account. What the page offers follows the caller's
// role (yourRole from the API); the server refuses the rest anyway (docs/teams.md).
document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, show, alert, problem, busy, fieldProblems, dateTime, requireLogin } = Portal;
  if (!requireLogin()) return;
  const names = { owner: 'Owner', admin: 'Admin', billing: 'Billing', 'read-only': 'Read-only' };
  let you = null;

  const manages = () => you === 'owner' || you === 'admin';
  // Admins may not make owners, nor change or remove one; the account's first login stays its owner.
  const mayEdit = m => manages() && !m.accountOwner && (you === 'owner' || m.role !== 'owner');
  const roleChoices = () => Object.keys(names).filter(r => you === 'owner' || r !== 'owner');

  const load = async () => {
    const r = await api('GET', '/api/account/team');
    if (!r.ok) { alert('team-alert', 'error', problem(r)); return; }
    you = r.data.yourRole;
    show('your-role', `Your role: ${names[you] || you}.`, manages() ? '' : ' You can see the team; owners and admins change it.');
    document.getElementById('invite-panel').hidden = !manages();
    document.getElementById('audit-panel').hidden = !manages();
    const ownerOption = document.querySelector('#role option[value="owner"]');
    if (you === 'owner' && !ownerOption) document.getElementById('role').append(el('option', { value: 'owner' }, 'Owner'));

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
        el('td', { 'data-label': 'Action' }, manages() && (you === 'owner' || i.role !== 'owner')
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

  const actions = { invited: 'invited', 'invitation-revoked': 'withdrew the invitation of', joined: 'joined:', 'role-changed': 'changed the role of', removed: 'removed' };
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

  await load();
});
