// Recovering an account through a one-time link /reset#TOKEN from the state's administrator:
// the person chooses a new password; the old one, every session and the second factor end.
import { call } from '../lib/api.js';
import { h, field, formError, showErrors, put } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { go, flash } from '../app.js';

let token = null;

export async function render(root) {
  if (location.hash.length > 1) {
    token = decodeURIComponent(location.hash.slice(1));
    history.replaceState(null, '', location.pathname + location.search);
  }
  put(root, h('h1', {}, t('reset.title')));
  if (!token) {
    put(root, h('p', { class: 'error', role: 'alert' }, t('reset.no_token')));
    return;
  }
  const pass = h('input', { type: 'password', autocomplete: 'new-password', required: true });
  const form = h('form', { class: 'card narrow', novalidate: true }, formError(),
    h('p', {}, t('reset.intro')),
    field('password', t('account.new'), pass, t('account.new_hint')),
    h('button', { type: 'submit' }, t('reset.submit')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const r = await call('POST', '/api/v1/reset', { token, password: pass.value });
      token = null;
      go('/login', true);
      flash(t('reset.done', { name: r.data.username }));
    } catch (err) {
      if (err.status === 410) err.problem.detail = t('reset.gone');
      showErrors(form, err.problem);
    }
  });
  put(root, form);
}
