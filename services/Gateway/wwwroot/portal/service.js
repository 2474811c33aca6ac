'use strict';
document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, show, alert, problem, date, dateTime, copyButton, timeline, poll, statusClass, statusText, orderState, busy, requireLogin } = Portal;
  if (!requireLogin()) return;
  const serviceId = location.pathname.split('/').pop();
  const path = '/api/services/' + encodeURIComponent(serviceId);
  let service;
  let products = null;

  async function loadService() {
    const r = await api('GET', path);
    if (!r.ok) {
      alert('service-alert', 'error', r.status === 404 ? 'There is no such service in your account.' : problem(r));
      return null;
    }
    service = r.data;
    products ??= await api('GET', '/api/products', undefined, { anonymous: true }).then(p => p.ok ? (Array.isArray(p.data) ? p.data : p.data.items) : []);
    const plan = products.find(p => p.id === service.productId)?.name || service.productId;
    document.getElementById('service-title').textContent = service.hostname ? `${plan}: ${service.hostname}` : plan;
    document.title = `${plan} · ProMTA`;
    const live = !!service.liveAt;
    show('overview', el('dl', { class: 'facts' },
      el('dt', {}, 'Status'), el('dd', {}, el('span', { class: statusClass(service.status), id: 'service-status', 'data-status': service.status }, statusText(service.status))),
      el('dt', {}, 'Plan'), el('dd', { id: 'service-plan' }, plan),
      el('dt', {}, 'Hostname'), el('dd', { class: 'mono' }, service.hostname || 'Assigned at setup'),
      el('dt', {}, 'Dedicated IPs'), el('dd', { class: 'mono' }, service.ips.length ? service.ips.join(', ') : 'Assigned at setup'),
      el('dt', {}, 'Billing day'), el('dd', {}, service.billingDay ? `Day ${service.billingDay} of each month` : 'Set when paid'),
      el('dt', {}, 'Paid through'), el('dd', { id: 'paid-through' }, service.paidThrough ? date(service.paidThrough) : 'Not yet paid'),
      el('dt', {}, 'Ends on'), el('dd', { id: 'ends-on' }, service.endsOn ? `${date(service.endsOn)} (cancelled)` : 'Not cancelled: renews monthly'),
      // The setup deadline is a promise about going live; once live it is history, not a date to watch.
      live ? null : [el('dt', {}, 'Setup deadline'), el('dd', { id: 'setup-deadline' }, service.setupDeadline ? `Live by ${dateTime(service.setupDeadline)}` : 'Set at payment')],
      el('dt', {}, 'Live since'), el('dd', { id: 'live-since' }, live ? dateTime(service.liveAt) : 'Not live yet')));
    show('smtp', el('dl', { class: 'facts' },
      el('dt', {}, 'Server'), el('dd', {}, el('span', { class: 'mono' }, service.smtp.host), ' ', copyButton(service.smtp.host, 'the SMTP server')),
      el('dt', {}, 'Port'), el('dd', {}, el('span', { class: 'mono' }, String(service.smtp.port)), ' ', copyButton(String(service.smtp.port), 'the SMTP port'),
        el('span', { class: 'muted' }, ' STARTTLS, then AUTH PLAIN or LOGIN')),
      el('dt', {}, 'Username'), el('dd', {}, service.smtp.username
        ? [el('span', { class: 'mono' }, service.smtp.username), ' ', copyButton(service.smtp.username, 'the SMTP username')]
        : 'Created when the service goes live')));
    document.getElementById(service.relayMode === 'unmanaged' ? 'mode-unmanaged' : 'mode-managed').checked = true;
    return service;
  }

  if (!await loadService()) return;

  // The order's timeline, live until the service is up (or the order ends).
  poll(async () => {
    const r = await api('GET', '/api/orders/' + encodeURIComponent(service.orderId));
    if (!r.ok) return false;
    const status = document.getElementById('order-status');
    status.textContent = statusText(orderState(r.data));
    status.dataset.status = r.data.status;
    status.className = statusClass(orderState(r.data));
    show('timeline', timeline(r.data));
    // A service whose first payment did not go through is not "being set up": it waits for the payment.
    const serviceStatus = document.getElementById('service-status');
    if (service.status === 'Pending' && ['PaymentFailed', 'AwaitingAuthentication'].includes(orderState(r.data)) && serviceStatus) {
      serviceStatus.textContent = orderState(r.data) === 'PaymentFailed' ? 'Payment not completed' : 'Waiting for your bank';
      serviceStatus.className = statusClass(orderState(r.data));
    }
    const done = r.data.status === 'Active' || r.data.status === 'Cancelled';
    if (done) await loadService();
    return done;
  }, 2000);

  // SMTP password: two steps, because rotating breaks the password in use.
  const rotate = document.getElementById('rotate');
  const confirmBox = document.getElementById('rotate-confirm');
  rotate.addEventListener('click', () => { confirmBox.hidden = false; document.getElementById('rotate-yes').focus(); });
  document.getElementById('rotate-no').addEventListener('click', () => { confirmBox.hidden = true; rotate.focus(); });
  document.getElementById('rotate-yes').addEventListener('click', async e => {
    busy(e.target, true, 'Creating…');
    const r = await api('POST', path + '/smtp-password');
    busy(e.target, false);
    confirmBox.hidden = true;
    if (!r.ok) { alert('password-result', 'error', problem(r)); return; }
    const box = show('password-result', el('p', {}, 'New password for ', el('code', {}, r.data.username), ' (shown only once):'),
      el('p', {}, el('code', { id: 'smtp-password' }, r.data.password), ' ', copyButton(r.data.password, 'the new SMTP password')));
    box.className = 'alert ok';
    box.focus();
  });

  document.getElementById('relay-form').addEventListener('submit', async e => {
    e.preventDefault();
    const mode = document.querySelector('input[name="mode"]:checked')?.value;
    const button = e.submitter || e.target.querySelector('button');
    busy(button, true, 'Saving…');
    const r = await api('PUT', path + '/relay-mode', { mode });
    busy(button, false);
    if (!r.ok) { alert('relay-result', 'error', problem(r)); return; }
    alert('relay-result', r.data.warning ? 'warn' : 'ok', r.data.warning ? `Relay mode is now ${r.data.mode}. ${r.data.warning}` : `Relay mode is now ${r.data.mode}.`);
    service.relayMode = r.data.mode;
  });

  async function loadDns() {
    const r = await api('GET', path + '/dns');
    if (!r.ok) { show('dns', el('p', {}, r.status === 404 ? 'DNS is published once the service is set up.' : problem(r))); return; }
    const d = r.data;
    show('dns',
      d.sendingDomain
        ? el('p', {}, 'Point the nameservers of ', el('strong', {}, d.sendingDomain), ' at ours at your registrar: ',
            // Nameservers come fully qualified ("ns1.example."); the sentence supplies its own full stop.
            el('span', { class: 'mono', id: 'nameservers' }, d.nameservers.map(n => n.replace(/\.$/, '')).join(', ')), '. ',
            d.delegated ? el('span', { class: 'status good' }, `Delegation seen ${d.delegatedAt ? 'since ' + dateTime(d.delegatedAt) : ''}`)
                        : el('span', { class: 'status' }, 'Delegation not seen yet'))
        : el('p', {}, 'No sending domain was given with the order; these are the records of your server.'),
      el('div', { class: 'table-wrap' }, el('table', { class: 'stack' },
        el('caption', { class: 'muted' }, 'Records we publish, each checked over DNS now'),
        el('thead', {}, el('tr', {}, ['Type', 'Name', 'Value', 'Live'].map(h => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, d.records.map(rec => el('tr', {},
          el('td', { 'data-label': 'Type' }, rec.type),
          el('td', { 'data-label': 'Name', class: 'mono' }, rec.name),
          el('td', { 'data-label': 'Value' }, el('span', { class: 'mono' }, rec.value), ' ', copyButton(rec.value, `the ${rec.type} record's value`)),
          el('td', { 'data-label': 'Live' }, el('span', { class: rec.live ? 'status good' : 'status' }, rec.live ? 'Live' : 'Not seen yet'))))))));
  }
  loadDns();
  document.getElementById('dns-refresh').addEventListener('click', loadDns);

  // Delivery events of the recent window, only the kinds that happened ("3 delivered, 1 bounced").
  const recentEvents = (e) => {
    const parts = ['accepted', 'delivered', 'deferred', 'bounced', 'expired'].filter(k => e && e[k] > 0).map(k => `${e[k]} ${k}`);
    return parts.length === 0 ? 'None' : parts.join(', ');
  };
  const providerSelect = document.getElementById('chart-provider');
  const chosenRange = () => document.querySelector('input[name="chart-range"]:checked')?.value || '24h';
  let history = null;
  const drawChart = () => { if (history) DeliveryChart.render(document.getElementById('chart'), history, providerSelect.value, chosenRange()); };
  async function loadHistory() {
    const r = await api('GET', path + '/delivery/history' + DeliveryChart.query(chosenRange()));
    if (!r.ok) { show('chart', el('p', {}, r.status === 404 ? 'The chart appears once the service is live.' : problem(r))); return; }
    history = r.data;
    for (const p of history.providers) {
      if (![...providerSelect.options].some(o => o.value === p.provider)) providerSelect.append(el('option', { value: p.provider }, p.provider));
    }
    drawChart();
  }
  for (const input of document.querySelectorAll('input[name="chart-range"]')) input.addEventListener('change', loadHistory);
  poll(async () => {
    const r = await api('GET', path + '/delivery');
    if (!r.ok) { show('delivery', el('p', {}, r.status === 404 ? 'Delivery statistics appear once the service is live.' : problem(r))); return false; }
    await loadHistory();
    for (const p of r.data.providers) {
      if (![...providerSelect.options].some(o => o.value === p.provider)) providerSelect.append(el('option', { value: p.provider }, p.provider));
    }
    show('delivery', r.data.providers.length === 0 ? el('p', {}, 'No mail sent yet.') : el('div', { class: 'table-wrap' }, el('table', { class: 'stack' },
      el('caption', { class: 'muted' }, `Relay mode: ${r.data.relayMode}`),
      el('thead', {}, el('tr', {}, ['Provider', 'Sent', 'Deferred', 'Bounced', 'Queued', 'State', 'Current limit', `Last ${r.data.recentWindowHours} h`].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, r.data.providers.map(p => el('tr', {},
        el('td', { 'data-label': 'Provider' }, p.provider),
        el('td', { 'data-label': 'Sent' }, p.sent),
        el('td', { 'data-label': 'Deferred' }, p.deferred),
        el('td', { 'data-label': 'Bounced' }, p.bounced),
        el('td', { 'data-label': 'Queued' }, p.queueDepth),
        el('td', { 'data-label': 'State' }, el('span', { class: statusClass(p.state), 'data-status': p.state }, statusText(p.state))),
        el('td', { 'data-label': 'Current limit' }, p.currentRateLimit == null ? 'Not limited' : `${p.currentRateLimit}/min`),
        el('td', { 'data-label': `Last ${r.data.recentWindowHours} h` }, recentEvents(p.recentEvents))))))));
    return false;
  }, 10000);
  providerSelect.addEventListener('change', drawChart);

  // Cancellation: Billing previews exactly what cancelling now means; the customer confirms with the end date and
  // the deadline in front of them, and the page then shows one state: either "cancel" or "keep", never both.
  const cancel = document.getElementById('cancel');
  const withdraw = document.getElementById('withdraw');
  const confirmCancel = document.getElementById('cancel-confirm');
  let preview = null;
  const showEndsOn = endsOn => {
    const endsOnText = document.getElementById('ends-on');
    if (endsOnText) endsOnText.textContent = endsOn ? `${date(endsOn)} (cancelled)` : 'Not cancelled: renews monthly';
  };
  async function loadCancellation() {
    confirmCancel.hidden = true;
    const r = await api('GET', path + '/cancellation');
    if (!r.ok) {
      cancel.hidden = withdraw.hidden = true;
      show('cancel-info', el('p', {}, r.status === 404 ? 'Cancellation is possible once the first month is paid.' : problem(r)));
      return;
    }
    const c = r.data;
    if (c.cancelled) {
      preview = null;
      cancel.hidden = true;
      withdraw.hidden = service.status === 'Ended';
      showEndsOn(c.endsOn);
      show('cancel-info', el('p', { id: 'cancel-summary' }, `Cancelled on ${dateTime(c.cancelledAt)}. The service ends on ${date(c.endsOn)} and `,
        c.chargedAgain ? 'the period running to that day was charged (the cancellation came after the deadline).' : 'is not charged again.'));
      return;
    }
    preview = c;
    withdraw.hidden = true;
    cancel.hidden = service.status === 'Ended';
    showEndsOn(null);
    cancel.textContent = `Cancel this service (ends ${date(c.endsOn)}, ${c.chargedAgain ? 'next period still charged' : 'no further charge'})`;
    show('cancel-info', el('p', { id: 'cancel-summary' }, `If you cancel now, the service ends on ${date(c.endsOn)}. `,
      c.chargedAgain
        ? 'The deadline for the next period has passed, so that period is charged (or already was) and the service runs to its end. No refunds.'
        : `You are not charged again.${c.deadline ? ` To stop the next charge, cancel before ${dateTime(c.deadline)}.` : ''}`));
  }
  loadCancellation();
  cancel.addEventListener('click', () => {
    if (!preview) return;
    show('cancel-confirm-text', `Cancel this service? It keeps running until ${date(preview.endsOn)} and then ends. `,
      preview.chargedAgain
        ? 'The next period is still charged: the deadline to avoid it has passed.'
        : `You are not charged again${preview.deadline ? ` (the deadline is ${dateTime(preview.deadline)})` : ''}.`,
      ' You can take the cancellation back until then.');
    cancel.hidden = true;
    confirmCancel.hidden = false;
    document.getElementById('cancel-yes').focus();
  });
  document.getElementById('cancel-no').addEventListener('click', () => { confirmCancel.hidden = true; cancel.hidden = false; cancel.focus(); });
  document.getElementById('cancel-yes').addEventListener('click', async e => {
    busy(e.target, true, 'Cancelling…');
    const r = await api('POST', path + '/cancellation');
    busy(e.target, false);
    if (!r.ok) { alert('cancel-result', 'error', problem(r)); await loadCancellation(); return; }
    alert('cancel-result', 'ok', `Cancelled. Your service ends on ${date(r.data.endsOn)} and ${r.data.chargedAgain ? 'the next period is charged.' : 'is not charged again.'}`);
    await loadCancellation();
  });
  withdraw.addEventListener('click', async () => {
    busy(withdraw, true, 'Keeping the service…');
    const r = await api('DELETE', path + '/cancellation');
    busy(withdraw, false);
    if (!r.ok) { alert('cancel-result', 'error', problem(r)); return; }
    alert('cancel-result', 'ok', 'The cancellation is withdrawn: the service renews monthly again.');
    await loadCancellation();
  });
});
