// Enrolling through a one-time link /enrol#TOKEN: the new account chooses its username and
// password, which nobody else ever sees.
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
  put(root, h('h1', {}, t('enrol.title')));
  if (!token) {
    put(root, h('p', { class: 'error', role: 'alert' }, t('enrol.no_token')));
    return;
  }
  const user = h('input', { autocomplete: 'username', required: true, maxlength: 64 });
  const pass = h('input', { type: 'password', autocomplete: 'new-password', required: true });
  const form = h('form', { class: 'card narrow', novalidate: true }, formError(),
    h('p', {}, t('enrol.intro')),
    field('username', t('login.username'), user),
    field('password', t('login.password'), pass, t('account.new_hint')),
    h('button', { type: 'submit' }, t('enrol.submit')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await call('POST', '/api/v1/enrol', { token, username: user.value.trim(), password: pass.value });
      token = null;
      go('/login', true);
      flash(t('enrol.done'));
    } catch (err) {
      if (err.status === 410) err.problem.detail = t('enrol.gone');
      showErrors(form, err.problem);
    }
  });
  put(root, form);
}
