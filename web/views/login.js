// Logging in.
import * as api from '../lib/api.js';
import { h, field, formError, showErrors, put } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { go, flash } from '../app.js';

// Only paths of the interface itself are followed after a login.
function nextPath(params) {
  const n = params.get('next');
  return n && /^\/[a-z-]*(\?[^#]*)?$/.test(n) && !n.startsWith('/login') ? n : '/directory';
}

export async function render(root, params) {
  if (api.me) {
    go(nextPath(params), true);
    return;
  }
  const user = h('input', { autocomplete: 'username', required: true, maxlength: 64 });
  const pass = h('input', {
    type: 'password', autocomplete: 'current-password', required: true, maxlength: 256,
  });
  const code = h('input', {
    autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: 6, dir: 'ltr', class: 'mono',
  });
  const codeBox = field('totp', t('login.totp'), code, t('login.totp_hint'));
  codeBox.hidden = true;
  const form = h('form', { class: 'card narrow', novalidate: true },
    h('h1', {}, t('login.title')),
    formError(),
    field('username', t('login.username'), user),
    field('password', t('login.password'), pass),
    codeBox,
    h('button', { type: 'submit' }, t('login.submit')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api.login(user.value.trim(), pass.value, codeBox.hidden ? '' : code.value.trim());
      pass.value = '';
      code.value = '';
      if (api.mustEnrol()) {
        go('/account', true);
        flash(t('account.sf_must'), 'warn');
      } else {
        go(nextPath(params), true);
        flash(t('login.welcome', { name: api.me.username }));
      }
    } catch (err) {
      const p = err.problem;
      // An account with a second factor: the same form asks for its code.
      if (err.status === 401 && (p.errors || []).some((x) => x.field === 'totp')) {
        codeBox.hidden = false;
        p.errors = [{ field: 'totp', reason: t('login.totp_needed') }];
      } else if (err.status === 401) {
        p.detail = t(codeBox.hidden ? 'login.wrong' : 'login.wrong_code');
        p.errors = [];
      }
      if (err.status === 429) p.detail = t('login.throttled');
      showErrors(form, p);
    }
  });
  put(root, form);
  user.focus();
}
