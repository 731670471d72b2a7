// The caller's own account: who they are, and changing the password.
import * as api from '../lib/api.js';
import { h, field, formError, showErrors, clearErrors, put } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { flash } from '../app.js';

const ROLES = {
  secretariat: 'role.secretariat', state_admin: 'role.state_admin', officer: 'role.officer',
};

export async function render(root) {
  const me = api.me;
  const cur = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  const next = h('input', { type: 'password', autocomplete: 'new-password', required: true });
  const form = h('form', { class: 'card narrow', novalidate: true },
    h('h2', {}, t('account.change_password')),
    formError(),
    field('current_password', t('account.current'), cur),
    field('new_password', t('account.new'), next, t('account.new_hint')),
    h('button', { type: 'submit' }, t('account.save')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api.post('/api/v1/me/password', { current_password: cur.value, new_password: next.value });
      cur.value = '';
      next.value = '';
      clearErrors(form);
      flash(t('account.changed'));
    } catch (err) {
      showErrors(form, err.problem);
    }
  });
  put(root, 
    h('h1', {}, t('account.title')),
    h('dl', { class: 'facts' },
      h('dt', {}, t('login.username')), h('dd', {}, me.username),
      h('dt', {}, t('account.role')), h('dd', {}, t(ROLES[me.role])),
      me.state ? [h('dt', {}, t('account.state')), h('dd', {}, me.state)] : null),
    form);
}
