'use strict';
// Delivery over time for one service: the API gives current counters, so the page samples them and keeps the samples
// in sessionStorage (this tab). Drawn as inline SVG with a text description for screen readers.
window.DeliveryChart = (() => {
  const ns = 'http://www.w3.org/2000/svg';
  const series = [
    { key: 'sent', label: 'Sent', color: '#0b5cad', dash: '' },
    { key: 'deferred', label: 'Deferred', color: '#b45309', dash: '6 3' },
    { key: 'bounced', label: 'Bounced', color: '#b91c1c', dash: '2 3' },
    { key: 'limit', label: 'Current limit (messages/min)', color: '#116329', dash: '10 4' },
  ];
  const maxSamples = 360;

  function record(serviceId, providers) {
    const key = 'promta.delivery.' + serviceId;
    const samples = JSON.parse(sessionStorage.getItem(key) || '[]');
    const sample = { t: Date.now(), p: {} };
    for (const p of providers) sample.p[p.provider] = { sent: p.sent, deferred: p.deferred, bounced: p.bounced, limit: p.currentRateLimit ?? 0 };
    samples.push(sample);
    const kept = samples.slice(-maxSamples);
    sessionStorage.setItem(key, JSON.stringify(kept));
    return kept;
  }

  function valuesFor(sample, provider) {
    const rows = provider ? [sample.p[provider] || { sent: 0, deferred: 0, bounced: 0, limit: 0 }] : Object.values(sample.p);
    return series.reduce((acc, s) => ({ ...acc, [s.key]: rows.reduce((sum, r) => sum + (r[s.key] || 0), 0) }), {});
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function render(container, samples, provider) {
    const w = 600, h = 240, left = 48, right = 12, top = 12, bottom = 28;
    const points = samples.map(s => ({ t: s.t, v: valuesFor(s, provider) }));
    const max = Math.max(1, ...points.flatMap(p => series.map(s => p.v[s.key])));
    const t0 = points[0]?.t ?? Date.now(), t1 = Math.max(points[points.length - 1]?.t ?? t0, t0 + 1);
    const x = t => left + (w - left - right) * (t - t0) / (t1 - t0);
    const y = v => top + (h - top - bottom) * (1 - v / max);
    const latest = points[points.length - 1]?.v;
    const name = provider || 'all providers';
    const chart = svg('svg', { viewBox: `0 0 ${w} ${h}`, class: 'chart', role: 'img', 'aria-labelledby': 'chart-title chart-desc' });
    chart.append(svg('title', { id: 'chart-title' }, `Delivery for ${name} over time`));
    chart.append(svg('desc', { id: 'chart-desc' }, latest
      ? `${points.length} samples. Latest: ${latest.sent} sent, ${latest.deferred} deferred, ${latest.bounced} bounced, limit ${latest.limit} messages per minute.`
      : 'No samples yet.'));
    chart.append(svg('line', { x1: left, y1: top, x2: left, y2: h - bottom, stroke: '#4a5360' }));
    chart.append(svg('line', { x1: left, y1: h - bottom, x2: w - right, y2: h - bottom, stroke: '#4a5360' }));
    chart.append(svg('text', { x: left - 6, y: top + 10, 'text-anchor': 'end', 'font-size': 12, fill: '#1b1f24' }, String(max)));
    chart.append(svg('text', { x: left - 6, y: h - bottom, 'text-anchor': 'end', 'font-size': 12, fill: '#1b1f24' }, '0'));
    const time = t => new Date(t).toLocaleTimeString('en-GB');
    chart.append(svg('text', { x: left, y: h - 8, 'font-size': 12, fill: '#1b1f24' }, time(t0)));
    chart.append(svg('text', { x: w - right, y: h - 8, 'text-anchor': 'end', 'font-size': 12, fill: '#1b1f24' }, time(t1)));
    for (const s of series) {
      const d = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v[s.key]).toFixed(1)}`).join(' ');
      if (points.length === 1) chart.append(svg('circle', { cx: x(points[0].t), cy: y(points[0].v[s.key]), r: 3, fill: s.color }));
      else chart.append(svg('path', { d, fill: 'none', stroke: s.color, 'stroke-width': 2, 'stroke-dasharray': s.dash }));
    }
    const legend = document.createElement('ul');
    legend.className = 'legend';
    for (const s of series) {
      const item = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.style.background = s.color;
      swatch.setAttribute('aria-hidden', 'true');
      item.append(swatch, s.label);
      legend.append(item);
    }
    container.replaceChildren(chart, legend);
  }

  return { record, render };
})();
