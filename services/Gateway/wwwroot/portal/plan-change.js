'use strict';
// "Change plan" on the service page (issue 17): pick a plan, read what it costs now and per month (Billing's preview,
// the same rules the change applies), then confirm. Upgrades take effect at once; downgrades from the next period.
document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, show, alert, problem, money, date, busy, session } = Portal;
  if (!session()) return; // service.js sends the visitor to log in
  const serviceId = location.pathname.split('/').pop();
  const path = '/api/services/' + encodeURIComponent(serviceId) + '/plan-change';
  const select = document.getElementById('plan-product');
  const extraIps = document.getElementById('plan-extra-ips');
  const previewButton = document.getElementById('plan-preview');
  const confirmBox = document.getElementById('plan-confirm');
  const yes = document.getElementById('plan-yes');
  let chosen = null;

  /** applied: the change just made, shown at once (Ordering's copy of the service follows a moment later). */
  async function loadChoices(applied) {
    const [service, products] = await Promise.all([
      api('GET', '/api/services/' + encodeURIComponent(serviceId)),
      api('GET', '/api/products', undefined, { anonymous: true }),
    ]);
    if (!service.ok || !products.ok) return;
    const list = Array.isArray(products.data) ? products.data : products.data.items;
    // The IPs beyond the plan's own are the add-on.
    const current = applied?.productId ?? service.data.productId;
    const plan = list.find(p => p.id === current);
    extraIps.value = applied?.extraIps ?? (plan ? Math.max(0, service.data.ips.length - plan.ips) : 0);
    show(select, list.map(p => el('option', { value: p.id, selected: p.id === current },
      `${p.name}: ${money(p.monthlyPrice)} a month excl. VAT, ${p.ips} dedicated IP${p.ips === 1 ? '' : 's'}${p.id === current ? ' (current)' : ''}`)));
  }

  function describe(p) {
    const now = { amount: p.amountNow, currency: p.currency };
    const monthly = { amount: p.newMonthlyPriceWithVat, currency: p.currency };
    if (p.kind === 'Upgrade') {
      return `Upgrade to ${p.productName} today: ${money(now)} charged now to your card (VAT included) for the days left of what you have paid, `
        + `then ${money(monthly)} a month (VAT included). ${p.dedicatedIps} dedicated IPs; the new ones are set up and warmed up like a new service's.`;
    }
    if (p.kind === 'Downgrade') {
      return `Move to ${p.productName} from ${date(p.effectiveOn)}, the first period not charged yet: nothing is charged now, `
        + `then ${money(monthly)} a month (VAT included). You keep ${p.fromProductName} until then; IPs beyond ${p.dedicatedIps} are released that day.`;
    }
    return `Take back the scheduled move: the service stays on ${p.productName}.`;
  }

  previewButton.addEventListener('click', async () => {
    alert('plan-result', '', '');
    busy(previewButton, true, 'Checking…');
    const r = await api('GET', path + '?productId=' + encodeURIComponent(select.value) + '&extraIps=' + encodeURIComponent(extraIps.value || '0'));
    busy(previewButton, false);
    if (!r.ok) { confirmBox.hidden = true; alert('plan-result', 'error', problem(r)); return; }
    chosen = { productId: select.value, extraIps: Number(extraIps.value || 0) };
    show('plan-confirm-text', describe(r.data));
    yes.textContent = r.data.kind === 'Upgrade' ? `Upgrade and pay ${money({ amount: r.data.amountNow, currency: r.data.currency })}` : 'Confirm the change';
    confirmBox.hidden = false;
    yes.focus();
  });

  document.getElementById('plan-no').addEventListener('click', () => { confirmBox.hidden = true; previewButton.focus(); });

  yes.addEventListener('click', async () => {
    busy(yes, true, 'Changing…');
    const r = await api('POST', path, chosen);
    busy(yes, false);
    confirmBox.hidden = true;
    if (!r.ok) { alert('plan-result', 'error', problem(r)); return; }
    const done = r.data.status === 'Applied'
      ? `Done: the service runs on ${r.data.change.productName}.` + (r.data.invoiceNumber ? ` Invoice ${r.data.invoiceNumber} is paid (see Invoices).` : '')
      : r.data.status === 'Scheduled' ? `Scheduled: the service moves to ${r.data.change.productName} on ${date(r.data.change.effectiveOn)}.`
      : 'The scheduled change is taken back.';
    alert('plan-result', 'ok', done);
    await loadChoices(r.data.status === 'Applied' ? { productId: r.data.change.productId, extraIps: r.data.change.extraIps } : undefined);
  });

  select.addEventListener('change', () => { confirmBox.hidden = true; });
  extraIps.addEventListener('input', () => { confirmBox.hidden = true; });
  await loadChoices();
});
