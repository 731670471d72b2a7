// My state, for its administrators: the tasks, the changes of e-mail addresses and keys that
// wait for a second administrator (confirm, cancel), the PoC entries (add, edit, confirm,
// remove, history) and the state's accounts (enrolment links, disabling).
import * as api from '../lib/api.js';
import { h, clear, showErrors, select, field, put } from '../lib/dom.js';
import { t, fmtDateTime, fmtDate } from '../lib/i18n.js';
import { pocCard, stateName, KINDS, RANKS } from '../lib/poc.js';
import { pocForm } from '../lib/poc_form.js';
import { flash } from '../app.js';
import { receiptButton } from '../lib/receipt.js';

const OPS = {
  created: 'history.created', changed: 'history.changed', confirmed: 'history.confirmed',
  removed: 'history.removed', change_applied: 'history.change_applied',
};
const TASKS = {
  ping_unanswered: 'task.ping_unanswered', ping_wrong: 'task.ping_wrong',
  review_due: 'task.review_due', stale: 'task.stale',
};
const ROLES = { state_admin: 'role.state_admin', officer: 'role.officer' };

// The fields that differ between two snapshots of an entry.
function changed(a, b) {
  const skip = new Set(['revision', 'updated_at', 'created_at']);
  const keys = new Set([...Object.keys(a || {}), ...Object.keys(b || {})]);
  return [...keys].filter((k) => !skip.has(k) &&
    JSON.stringify((a || {})[k]) !== JSON.stringify((b || {})[k]));
}

async function history(id) {
  const items = await api.all('/api/v1/pocs/' + id + '/history');
  return h('ol', { class: 'history' }, items.map((it, i) => h('li', {},
    h('strong', {}, t(OPS[it.op] || 'history.changed')), ' · ', fmtDateTime(it.at),
    ' · ', t('history.revision', { n: it.revision }),
    i > 0 && it.poc ? [' · ', t('history.fields', {
      fields: changed(items[i - 1].poc, it.poc).join(', ') || '–',
    })] : null)));
}

export async function render(root) {
  const code = api.me.state;
  const states = await api.states();
  put(root, h('h1', {}, t('mystate.title', { state: stateName(states.get(code)) })));
  const tasksBox = h('section', { class: 'card' });
  const changesBox = h('section', { class: 'card pending-changes', 'aria-labelledby': 'chg-h' });
  const formBox = h('div', {});
  const list = h('section', { 'aria-labelledby': 'pocs-h' });
  const accBox = h('section', { class: 'card' });
  let accounts = [];

  const reload = async () => {
    const [pocs, tasks, accs, mine] = await Promise.all([
      api.all('/api/v1/states/' + code + '/pocs'), api.all('/api/v1/tasks'),
      api.all('/api/v1/states/' + code + '/accounts'), api.get('/api/v1/me')]);
    accounts = accs;
    const byId = new Map(pocs.map((p) => [p.id, p]));
    const label = (id) => {
      const p = byId.get(id);
      return p ? t(KINDS[p.kind]) + ' · ' + t(RANKS[p.rank]) + ' · ' + p.organisation : id;
    };
    clear(tasksBox).append(h('h2', {}, t('mystate.tasks')), tasks.length
      ? h('ul', {}, tasks.map((k) => h('li', {}, t(TASKS[k.kind] || k.kind), ': ', label(k.poc),
        k.review_by ? ' (' + fmtDate(k.review_by) + ')' : '')))
      : h('p', {}, t('mystate.no_tasks')));
    drawChanges(mine.data.pending_changes || [], label);
    clear(list).append(h('h2', { id: 'pocs-h' }, t('mystate.pocs')),
      h('p', {}, h('button', { type: 'button', onclick: () => edit(null) }, t('mystate.add'))),
      ...pocs.map((p) => {
        const hist = h('div', { class: 'history-box' });
        return pocCard(p, h('p', { class: 'actions' },
          h('button', { type: 'button', onclick: () => edit(p.id) }, t('mystate.edit')),
          h('button', { type: 'button', class: 'secondary', onclick: () => confirmEntry(p.id) },
            t('mystate.confirm')),
          h('button', { type: 'button', class: 'danger', onclick: () => remove(p.id) },
            t('mystate.remove')),
          h('button', {
            type: 'button', class: 'link', 'aria-expanded': 'false', onclick: async (e) => {
              const open = e.target.getAttribute('aria-expanded') === 'true';
              e.target.setAttribute('aria-expanded', String(!open));
              clear(hist);
              if (!open) hist.append(await history(p.id));
            },
          }, t('mystate.history')), hist));
      }));
    drawAccounts();
  };

  // The pending changes: what, who proposed it and when, what it waits for; Confirm for the
  // other administrators (the server refuses the proposer too), Cancel for any.
  const drawChanges = (changes, label) => {
    const who = (id) => (accounts.find((a) => a.id === id) || { username: id }).username;
    const what = (c) => [
      c.fields.email !== undefined ? t('change.email', { value: c.fields.email }) : null,
      c.fields.pgp_fingerprint !== undefined
        ? (c.fields.pgp_fingerprint === null ? t('change.key_removed')
          : t('change.key', { value: c.fields.pgp_fingerprint })) : null,
    ].filter(Boolean).join('; ');
    const decide = async (c, action) => {
      try {
        const r = action === 'confirm'
          ? await api.post('/api/v1/pocs/' + c.poc + '/changes/' + c.id + '/confirm')
          : await api.call('DELETE', '/api/v1/pocs/' + c.poc + '/changes/' + c.id);
        await reload();
        flash(t(action === 'confirm' ? 'change.confirmed' : 'change.cancelled'), 'ok',
          r.data && r.data.receipt && receiptButton(r.data.receipt));
      } catch (err) {
        flash(err.message, 'error');
      }
    };
    clear(changesBox).append(h('h2', { id: 'chg-h' }, t('mystate.pending')), changes.length
      ? h('ul', {}, changes.map((c) => h('li', { dataset: { change: c.id } },
        h('strong', {}, label(c.poc)), ': ', what(c), h('br'),
        t('change.by', { name: who(c.proposed_by), date: fmtDateTime(c.created_at) }), ' · ',
        c.effective_at ? t('change.awaiting_delay', { date: fmtDateTime(c.effective_at) })
          : t('change.awaiting_confirmation'),
        h('span', { class: 'actions' },
          c.proposed_by === api.me.id ? null : h('button', {
            type: 'button', onclick: () => decide(c, 'confirm'),
          }, t('change.confirm')),
          h('button', { type: 'button', class: 'secondary', onclick: () => decide(c, 'cancel') },
            t('change.cancel'))))))
      : h('p', {}, t('mystate.no_pending')));
  };

  const drawAccounts = () => {
    const role = select([['officer', t('role.officer')], ['state_admin', t('role.state_admin')]],
      'officer');
    const out = h('p', { class: 'link-out', 'aria-live': 'polite' });
    const enrol = h('form', { class: 'inline' }, field('role', t('accounts.role'), role),
      h('button', { type: 'submit' }, t('accounts.enrol')), out);
    enrol.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const r = await api.post('/api/v1/states/' + code + '/enrolments', { role: role.value });
        clear(out).append(t('accounts.link', { date: fmtDateTime(r.data.expires_at) }), ' ',
          h('code', { dir: 'ltr' }, location.origin + r.data.url));
      } catch (err) {
        clear(out).append(err.message);
      }
    });
    // A recovery link: nothing changes for the account until the link is used.
    const resetOut = h('p', { class: 'link-out', 'aria-live': 'polite', tabindex: '-1' });
    const resetLink = async (a) => {
      if (!window.confirm(t('accounts.reset_confirm', { name: a.username }))) return;
      try {
        const r = await api.post('/api/v1/accounts/' + a.id + '/reset');
        clear(resetOut).append(t('accounts.reset_link', { name: a.username,
          date: fmtDateTime(r.data.expires_at) }), ' ',
        h('code', { dir: 'ltr' }, location.origin + r.data.url));
      } catch (err) {
        clear(resetOut).append(err.message);
      }
      resetOut.focus();
    };
    clear(accBox).append(h('h2', {}, t('accounts.title')),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, t('login.username')),
        h('th', {}, t('account.role')), h('th', {}, t('accounts.status')), h('th', {}, ''))),
      h('tbody', {}, accounts.map((a) => h('tr', {},
        h('td', {}, a.username), h('td', {}, t(ROLES[a.role] || a.role)),
        h('td', {}, t(a.disabled ? 'accounts.disabled' : 'accounts.active')),
        h('td', {}, a.id === api.me.id ? '' : h('span', { class: 'actions' },
          h('button', {
            type: 'button', class: 'secondary reset', onclick: () => resetLink(a),
          }, t('accounts.reset')),
          a.disabled ? '' : h('button', {
            type: 'button', class: 'secondary', onclick: async () => {
              if (!window.confirm(t('accounts.disable_confirm', { name: a.username }))) return;
              await api.call('PATCH', '/api/v1/accounts/' + a.id, { disabled: true });
              await reload();
              flash(t('accounts.disabled_done', { name: a.username }));
            },
          }, t('accounts.disable')))))))),
      resetOut,
      h('h3', {}, t('accounts.new')), enrol);
  };

  const edit = async (id) => {
    let entry = null;
    let etag = null;
    if (id) {
      const r = await api.get('/api/v1/pocs/' + id);
      entry = r.data;
      etag = r.etag;
    }
    const form = pocForm(entry, accounts, async (body, f) => {
      try {
        const r = id ? await api.call('PUT', '/api/v1/pocs/' + id, body, { 'If-Match': etag })
          : await api.post('/api/v1/states/' + code + '/pocs', body);
        clear(formBox);
        await reload();
        // 202: the other fields are saved; the e-mail address or key waits for a second
        // administrator.
        flash(t(r.status === 202 ? 'mystate.change_pending' : id ? 'mystate.saved' : 'mystate.added'),
          'ok', r.data.receipt && receiptButton(r.data.receipt));
      } catch (err) {
        if (err.status === 412) err.problem.detail = t('mystate.changed_meanwhile');
        showErrors(f, err.problem);
      }
    }, () => clear(formBox));
    clear(formBox).append(form);
    form.querySelector('select, input').focus();
  };

  const confirmEntry = async (id) => {
    const r = await api.post('/api/v1/pocs/' + id + '/confirm');
    await reload();
    flash(t('mystate.confirmed'), 'ok', r.data && r.data.receipt && receiptButton(r.data.receipt));
  };

  const remove = async (id) => {
    if (!window.confirm(t('mystate.remove_confirm'))) return;
    const r = await api.get('/api/v1/pocs/' + id);
    const d = await api.call('DELETE', '/api/v1/pocs/' + id, undefined, { 'If-Match': r.etag });
    await reload();
    flash(t('mystate.removed'), 'ok', d.data && d.data.receipt && receiptButton(d.data.receipt));
  };

  put(root, tasksBox, changesBox, formBox, list, accBox);
  await reload();
}
