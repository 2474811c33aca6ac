'use strict';
// Delivery over time for one service, drawn from the server's history (GET .../delivery/history): recipients
// delivered, deferred and bounced per bucket on the left axis (counts), the share delivered on the right axis (a
// rate, 0-100 %), so a handful of messages is never flattened by a number of another kind. Inline SVG with a text
// description and a data table for screen readers.
window.DeliveryChart = (() => {
  const ns = 'http://www.w3.org/2000/svg';
  const counts = [
    { key: 'delivered', label: 'Delivered', color: '#0b5cad', dash: '' },
    { key: 'deferred', label: 'Deferred', color: '#8a4b00', dash: '6 3' },
    { key: 'bounced', label: 'Bounced or expired', color: '#b91c1c', dash: '2 3' },
  ];
  const rate = { key: 'share', label: 'Delivered share (%, right axis)', color: '#116329', dash: '10 4' };
  /** The ranges offered: each with the step that keeps the chart readable (and within the API's bucket cap). */
  const ranges = {
    '1h': { hours: 1, step: 'minute', label: 'Last hour' },
    '24h': { hours: 24, step: 'hour', label: 'Last 24 hours' },
    '7d': { hours: 24 * 7, step: 'hour', label: 'Last 7 days' },
    '30d': { hours: 24 * 30, step: 'day', label: 'Last 30 days' },
  };

  function query(rangeKey) {
    const r = ranges[rangeKey] || ranges['24h'];
    const to = new Date();
    const from = new Date(to.getTime() - r.hours * 3600 * 1000);
    return `?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}&step=${r.step}`;
  }

  /** One series per bucket: the chosen provider's counts, or every provider's added up (counts add; rates do not). */
  function points(history, provider) {
    const chosen = history.providers.filter(p => !provider || p.provider === provider);
    const first = chosen[0]?.points || [];
    return first.map((_, i) => {
      const sum = k => chosen.reduce((s, p) => s + p.points[i][k], 0);
      const delivered = sum('delivered'), deferred = sum('deferred'), bounced = sum('bounced') + sum('expired');
      const attempts = delivered + deferred + bounced;
      return { t: new Date(first[i].at).getTime(), delivered, deferred, bounced, share: attempts ? 100 * delivered / attempts : null };
    });
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const niceMax = v => { if (v <= 5) return 5; const p = 10 ** Math.floor(Math.log10(v)); return Math.ceil(v / p) * p; };

  function label(t, step) {
    const options = step === 'day' ? { day: 'numeric', month: 'short' }
      : step === 'hour' ? { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' } : { hour: '2-digit', minute: '2-digit' };
    return new Intl.DateTimeFormat('en-GB', options).format(new Date(t));
  }

  function render(container, history, provider, rangeKey) {
    const w = 640, h = 260, left = 48, right = 48, top = 14, bottom = 34;
    const data = points(history, provider);
    const name = provider || 'all providers';
    const total = k => data.reduce((s, p) => s + p[k], 0);
    const max = niceMax(Math.max(0, ...data.flatMap(p => counts.map(s => p[s.key]))));
    const t0 = data[0]?.t ?? Date.now(), t1 = Math.max(data[data.length - 1]?.t ?? t0, t0 + 1);
    const x = t => left + (w - left - right) * (t - t0) / (t1 - t0);
    const yCount = v => top + (h - top - bottom) * (1 - v / max);
    const yRate = v => top + (h - top - bottom) * (1 - v / 100);
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const chart = svg('svg', { viewBox: `0 0 ${w} ${h}`, class: 'chart', role: 'img', 'aria-labelledby': 'chart-title chart-desc' });
    chart.append(svg('title', { id: 'chart-title' }, `Delivery for ${name}, ${(ranges[rangeKey] || ranges['24h']).label.toLowerCase()}`));
    const delivered = total('delivered'), deferred = total('deferred'), bounced = total('bounced');
    const attempts = delivered + deferred + bounced;
    chart.append(svg('desc', { id: 'chart-desc' }, attempts
      ? `${delivered} delivered, ${deferred} deferred, ${bounced} bounced or expired in ${data.length} ${history.step}s; ${Math.round(100 * delivered / attempts)} % delivered.`
      : 'No delivery attempts in this period.'));
    const axis = '#4a5360', ink = '#1b1f24';
    chart.append(svg('line', { x1: left, y1: top, x2: left, y2: h - bottom, stroke: axis }));
    chart.append(svg('line', { x1: w - right, y1: top, x2: w - right, y2: h - bottom, stroke: axis }));
    chart.append(svg('line', { x1: left, y1: h - bottom, x2: w - right, y2: h - bottom, stroke: axis }));
    for (const [v, y] of [[max, yCount(max)], [max / 2, yCount(max / 2)], [0, yCount(0)]]) {
      chart.append(svg('text', { x: left - 6, y: y + 4, 'text-anchor': 'end', 'font-size': 12, fill: ink, class: 'axis-count' }, String(v)));
    }
    for (const v of [100, 50, 0]) {
      chart.append(svg('text', { x: w - right + 6, y: yRate(v) + 4, 'font-size': 12, fill: ink, class: 'axis-rate' }, `${v} %`));
    }
    chart.append(svg('text', { x: 4, y: top - 2, 'font-size': 11, fill: ink }, 'recipients'));
    chart.append(svg('text', { x: left, y: h - 10, 'font-size': 12, fill: ink }, label(t0, history.step)));
    chart.append(svg('text', { x: w - right, y: h - 10, 'text-anchor': 'end', 'font-size': 12, fill: ink }, `${label(t1, history.step)} (${zone})`));
    const line = (values, y, s) => {
      const drawn = values.map((p, i) => ({ p, i })).filter(({ p }) => p[s.key] !== null);
      if (drawn.length === 1) chart.append(svg('circle', { cx: x(drawn[0].p.t), cy: y(drawn[0].p[s.key]), r: 3, fill: s.color }));
      else if (drawn.length > 1) {
        const d = drawn.map(({ p }, j) => `${j ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p[s.key]).toFixed(1)}`).join(' ');
        chart.append(svg('path', { d, fill: 'none', stroke: s.color, 'stroke-width': 2, 'stroke-dasharray': s.dash, 'data-series': s.key }));
      }
    };
    for (const s of counts) line(data, yCount, s);
    line(data, yRate, rate);

    const legend = document.createElement('ul');
    legend.className = 'legend';
    for (const s of [...counts, rate]) {
      const item = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.style.background = s.color;
      swatch.setAttribute('aria-hidden', 'true');
      item.append(swatch, s.label);
      legend.append(item);
    }
    container.replaceChildren(chart, legend);
  }

  return { ranges, query, render };
})();
