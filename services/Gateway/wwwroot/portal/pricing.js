'use strict';
document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, show, money, problem } = Portal;
  const r = await api('GET', '/api/products', undefined, { anonymous: true });
  if (!r.ok) { show('products', el('p', { class: 'alert error', role: 'alert' }, problem(r))); return; }
  const products = Array.isArray(r.data) ? r.data : r.data.items;
  show('products', products.map(p => el('article', { class: 'card', 'aria-labelledby': 'product-' + p.id },
    el('h3', { id: 'product-' + p.id }, p.name),
    el('p', { class: 'price' }, money(p.monthlyPrice), el('span', { class: 'muted' }, ' per month, excl. VAT')),
    el('ul', {},
      el('li', {}, `${p.ips} dedicated IP${p.ips === 1 ? '' : 's'} on your own server`),
      el('li', {}, 'Unlimited emails'),
      el('li', {}, 'No contract, cancel monthly')),
    el('p', {}, p.description),
    el('a', { class: 'button', href: '/order?product=' + encodeURIComponent(p.id), 'aria-label': `Order ${p.name}` }, 'Order'))));
});
