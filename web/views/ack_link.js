// Acknowledging a communication through the one-time link of its notification mail,
// /ack#TOKEN, without logging in (POST /api/v1/ack). The token stays in the fragment, which
// browsers never send; the page posts it only when the person presses the button, so a mail
// scanner that opens links acknowledges nothing.
import { call } from '../lib/api.js';
import { h, put, formError, showErrors, clear } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

let token = null;

export async function render(root) {
  if (location.hash.length > 1) {
    token = decodeURIComponent(location.hash.slice(1));
    history.replaceState(null, '', location.pathname + location.search);
  }
  put(root, h('h1', {}, t('ack.title')));
  if (!token) {
    put(root, h('p', { class: 'error', role: 'alert' }, t('ack.no_token')));
    return;
  }
  const done = h('div', { role: 'status' });
  const form = h('form', { class: 'card narrow', novalidate: true }, formError(),
    h('p', {}, t('ack.intro')), h('button', { type: 'submit' }, t('ack.button')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const r = await call('POST', '/api/v1/ack', { token });
      token = null;
      clear(done).append(h('p', { class: 'result ok' }, t('ack.done', { state: r.data.state })),
        h('p', {}, h('a', { href: '/thread?id=' + encodeURIComponent(r.data.communication) },
          t('ack.open'))));
      form.remove();
    } catch (err) {
      if (err.status === 410) err.problem.detail = t('ack.gone');
      showErrors(form, err.problem);
    }
  });
  put(root, form, done);
}
