'use strict';
// The contact form: stored for staff (POST /api/contact), shown on /staff. A logged-in customer's name and address are
// filled in; ?topic=no-card (linked from the order page's card question) preselects the topic.
document.addEventListener('DOMContentLoaded', async () => {
  const { api, el, alert, busy, fieldProblems, session } = Portal;
  const form = document.getElementById('contact');
  const topic = new URLSearchParams(location.search).get('topic');
  if (topic && [...form.elements.topic.options].some(o => o.value === topic)) form.elements.topic.value = topic;
  if (session()) {
    const me = await api('GET', '/api/me');
    if (me.ok) {
      form.elements.name.value ||= me.data.name;
      form.elements.email.value ||= me.data.email;
    }
  }
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const button = e.submitter || form.querySelector('button');
    busy(button, true, 'Sending…');
    const value = name => form.elements[name].value.trim();
    const r = await api('POST', '/api/contact', { name: value('name'), email: value('email'), topic: value('topic'), message: value('message') }, { anonymous: true });
    busy(button, false);
    fieldProblems(form, 'form-error', r);
    if (!r.ok) return;
    alert('form-error', 'ok', r.data.message);
    form.replaceWith(el('p', {}, el('a', { href: '/' }, 'Back to the plans')));
  });
});
