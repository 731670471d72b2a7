// The states, for the Secretariat: admitting a state to the directory or withdrawing it, and
// the one-time link through which a state's first administrator enrols (the Secretariat
// never knows that password), and re-enrolling one, which the whole state is told of.
import * as api from '../lib/api.js';
import { h, field, clear, put } from '../lib/dom.js';
import { t, fmtDateTime } from '../lib/i18n.js';
import { stateName } from '../lib/poc.js';
import { flash } from '../app.js';

export async function render(root) {
  const states = await api.states();
  const filter = h('input', { type: 'search', maxlength: 60 });
  const body = h('tbody', {});
  const out = h('p', { class: 'link-out', 'aria-live': 'polite' });

  const setParticipation = async (s, on) => {
    if (!on && !window.confirm(t('states.withdraw_confirm', { state: stateName(s) }))) return;
    const r = await api.call('PATCH', '/api/v1/states/' + s.code, { participating: on });
    states.set(s.code, r.data);
    draw();
    flash(t(on ? 'states.admitted' : 'states.withdrawn', { state: stateName(r.data) }));
  };
  const enrol = async (s) => {
    try {
      const r = await api.post('/api/v1/states/' + s.code + '/enrolments', { role: 'state_admin' });
      clear(out).append(t('states.link_for', { state: stateName(s) }), ' ',
        t('accounts.link', { date: fmtDateTime(r.data.expires_at) }), ' ',
        h('code', { dir: 'ltr' }, location.origin + r.data.url));
    } catch (err) {
      if (err.status !== 409) {
        clear(out).append(err.message);
      } else {
        clear(out).append(t('states.has_admin'), ' ', h('button', {
          type: 'button', class: 'danger', onclick: () => reenrol(s),
        }, t('states.reenrol')));
      }
    }
    out.focus();
  };
  // Re-enrolling an administrator of a state that has one: every account of the state is told,
  // and the record logs it.
  const reenrol = async (s) => {
    if (!window.confirm(t('states.reenrol_confirm', { state: stateName(s) }))) return;
    try {
      const r = await api.post('/api/v1/states/' + s.code + '/reenrol');
      clear(out).append(t('states.link_for', { state: stateName(s) }), ' ',
        t('accounts.link', { date: fmtDateTime(r.data.expires_at) }), ' ',
        h('code', { dir: 'ltr' }, location.origin + r.data.url), ' ',
        t('states.reenrol_told', { notices: r.data.notices, mails: r.data.mails }));
    } catch (err) {
      clear(out).append(err.message);
    }
    out.focus();
  };

  const draw = () => {
    const f = filter.value.trim().toLocaleLowerCase();
    const rows = [...states.values()]
      .filter((s) => !f || s.code.toLowerCase().includes(f) ||
        Object.values(s.names).some((n) => n.toLocaleLowerCase().includes(f)))
      .sort((a, b) => stateName(a).localeCompare(stateName(b)));
    clear(body).append(...rows.map((s) => h('tr', { dataset: { state: s.code } },
      h('td', {}, stateName(s), ' ', h('span', { class: 'code' }, s.code)),
      h('td', {}, s.participating
        ? t('states.since', { date: fmtDateTime(s.participating_since) }) : t('states.not_participating')),
      h('td', {}, h('span', { class: 'actions' },
        s.participating
          ? [h('button', { type: 'button', onclick: () => enrol(s) }, t('states.enrol_admin')),
            h('button', { type: 'button', class: 'danger', onclick: () => setParticipation(s, false) },
              t('states.withdraw'))]
          : h('button', { type: 'button', onclick: () => setParticipation(s, true) },
            t('states.admit')))))));
  };
  filter.addEventListener('input', draw);
  out.setAttribute('tabindex', '-1');
  put(root, h('h1', {}, t('states.title')), h('p', {}, t('states.intro')),
    field('filter', t('directory.filter_states'), filter), out,
    h('table', { class: 'states-admin' }, h('thead', {}, h('tr', {},
      h('th', {}, t('states.state')), h('th', {}, t('states.participation')), h('th', {}, ''))), body));
  draw();
}
