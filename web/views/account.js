// The caller's own account: who they are, what the service told it (notices), and changing
// the password.
import * as api from '../lib/api.js';
import { h, field, formError, showErrors, clearErrors, put, clear } from '../lib/dom.js';
import { t, fmtDateTime } from '../lib/i18n.js';
import { flash, drawNav } from '../app.js';

const ROLES = {
  secretariat: 'role.secretariat', state_admin: 'role.state_admin', officer: 'role.officer',
};

// A form asking for a code from the authenticator app, which calls send(code).
function codeForm(label, send) {
  const code = h('input', {
    autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: 6, dir: 'ltr', class: 'mono',
  });
  const form = h('form', { class: 'inline', novalidate: true }, formError(),
    field('code', t('account.sf_code'), code), h('button', { type: 'submit' }, label));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await send(code.value.trim());
    } catch (err) {
      showErrors(form, err.problem);
    }
  });
  return form;
}

// The second factor: set up (a key for the authenticator app, then a code to confirm it), or
// removed with a fresh code where the deployment does not require it.
function secondFactor(box) {
  const me = api.me;
  clear(box).append(h('h2', {}, t('account.sf_title')));
  if (me.second_factor) {
    box.append(h('p', {}, t('account.sf_in_use')));
    if (!me.second_factor_required) {
      box.append(codeForm(t('account.sf_remove'), async (code) => {
        await api.post('/api/v1/me/totp/remove', { code });
        me.second_factor = false;
        secondFactor(box);
        flash(t('account.sf_removed'));
      }));
    }
    return;
  }
  box.append(h('p', {}, t(me.second_factor_required ? 'account.sf_must' : 'account.sf_none')),
    h('button', {
      type: 'button', onclick: async () => {
        const r = await api.post('/api/v1/me/totp');
        const key = r.data.key.match(/.{1,4}/g).join(' ');
        clear(box).append(h('h2', {}, t('account.sf_title')),
          h('p', {}, t('account.sf_key_hint')),
          h('p', {}, h('code', { class: 'totp-key', dir: 'ltr', dataset: { key: r.data.key } }, key)),
          h('p', {}, h('a', { href: r.data.uri }, t('account.sf_open_app'))),
          codeForm(t('account.sf_confirm'), async (code) => {
            await api.post('/api/v1/me/totp/confirm', { code });
            me.second_factor = true;
            secondFactor(box);
            drawNav();
            flash(t('account.sf_enabled'));
          }));
        box.querySelector('a').focus();
      },
    }, t('account.sf_setup')));
}

// A state's administrator cancels a re-enrolment link of their state while it is pending
// (unused and unexpired); nothing for anyone else.
function cancelReenrolment(n) {
  if (!n.pending || api.me.role !== 'state_admin' || api.me.state !== n.details.state) return null;
  const button = h('button', {
    type: 'button', class: 'secondary', onclick: async () => {
      if (!window.confirm(t('notices.reenrolment_cancel_confirm', { state: n.details.state }))) return;
      try {
        await api.call('DELETE', '/api/v1/states/' + encodeURIComponent(n.details.state) +
          '/reenrol/' + encodeURIComponent(n.details.enrolment));
        button.replaceWith(h('strong', { class: 'cancelled' }, t('notices.reenrolment_cancelled')));
        flash(t('notices.reenrolment_cancelled'));
      } catch (err) {
        flash(err.message, 'error');
      }
    },
  }, t('notices.reenrolment_cancel'));
  return [' ', button];
}

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
  const sfBox = h('section', { class: 'card narrow', id: 'second-factor' });
  const notices = (await api.get('/api/v1/me/notices')).data.items;
  const noticeBox = notices.length ? h('section', { class: 'card notices', id: 'notices', role: 'status' },
      h('h2', {}, t('notices.title')),
      h('ul', {}, notices.map((n) => h('li', { dataset: { kind: n.kind } },
        n.kind === 'reenrolment'
          ? [t('notices.reenrolment', { state: n.details.state, at: fmtDateTime(n.details.at),
            expires: fmtDateTime(n.details.expires) }), cancelReenrolment(n)]
          : n.kind === 'recovery_link'
            ? t(n.details.state ? 'notices.recovery_link' : 'notices.recovery_link_secretariat', {
              username: n.details.username, at: fmtDateTime(n.details.at),
              expires: fmtDateTime(n.details.expires) })
            : n.kind === 'recovered'
              ? t(n.details.state ? 'notices.recovered' : 'notices.recovered_secretariat', {
                username: n.details.username, used: fmtDateTime(n.details.used) })
              : n.kind)))) : null;
  put(root,
    h('h1', {}, t('account.title')),
    h('dl', { class: 'facts' },
      h('dt', {}, t('login.username')), h('dd', {}, me.username),
      h('dt', {}, t('account.role')), h('dd', {}, t(ROLES[me.role])),
      me.state ? [h('dt', {}, t('account.state')), h('dd', {}, me.state)] : null),
    noticeBox, sfBox, form);
  secondFactor(sfBox);
}
