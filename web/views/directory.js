// The directory: participating states, filtered by name; a search of the entries; a state's
// card with its PoCs; exports.
import * as api from '../lib/api.js';
import { h, field, select, clear, put } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { pocCard, stateName } from '../lib/poc.js';

function exports(params) {
  const q = new URLSearchParams(params);
  const link = (format, key) => {
    q.set('format', format);
    return h('a', { class: 'button', href: '/api/v1/directory?' + q, download: '' }, t(key));
  };
  return h('p', { class: 'actions' }, link('csv', 'directory.export_csv'),
    link('vcard', 'directory.export_vcard'));
}

function byState(items, states) {
  const groups = new Map();
  for (const p of items) {
    if (!groups.has(p.state)) groups.set(p.state, []);
    groups.get(p.state).push(p);
  }
  return [...groups].map(([code, pocs]) => h('section', { class: 'state' },
    h('h2', {}, h('a', { href: '/directory?state=' + code }, stateName(states.get(code)), ' (', code, ')')),
    pocs.map((p) => pocCard(p))));
}

async function stateCard(root, code, states) {
  const s = states.get(code);
  if (!s) {
    put(root, h('p', { class: 'error', role: 'alert' }, t('directory.no_state')));
    return;
  }
  put(root, h('p', {}, h('a', { href: '/directory' }, t('directory.back'))),
    h('h1', {}, stateName(s), ' (', code, ')'));
  if (!s.participating) {
    put(root, h('p', {}, t('directory.not_participating')));
    return;
  }
  const pocs = await api.all('/api/v1/states/' + code + '/pocs');
  put(root, exports({ state: code }),
    h('div', { class: 'pocs' }, pocs.length ? pocs.map((p) => pocCard(p)) : h('p', {}, t('directory.no_pocs'))));
}

export async function render(root, params) {
  const states = await api.states();
  const code = params.get('state');
  if (code) {
    await stateCard(root, code.toUpperCase(), states);
    return;
  }
  const participating = [...states.values()].filter((s) => s.participating)
    .sort((a, b) => stateName(a).localeCompare(stateName(b)));

  const q = h('input', { type: 'search', maxlength: 100, value: params.get('q') || '' });
  const kind = select([['', t('directory.any_kind')], ['technical', t('poc.kind_technical')],
    ['diplomatic', t('poc.kind_diplomatic')]], params.get('kind') || '');
  const results = h('div', { id: 'results', 'aria-live': 'polite' });
  const form = h('form', { class: 'search', role: 'search' },
    field('q', t('directory.search'), q, t('directory.search_hint')),
    field('kind', t('poc.kind'), kind),
    h('button', { type: 'submit' }, t('directory.search_button')));

  const filter = h('input', { type: 'search', maxlength: 60 });
  const list = h('ul', { class: 'states' });
  const drawStates = () => {
    const f = filter.value.trim().toLocaleLowerCase();
    clear(list).append(...participating
      .filter((s) => !f || s.code.toLowerCase().includes(f) ||
        Object.values(s.names).some((n) => n.toLocaleLowerCase().includes(f)))
      .map((s) => h('li', {}, h('a', { href: '/directory?state=' + s.code }, stateName(s),
        ' ', h('span', { class: 'code' }, s.code)))));
  };
  filter.addEventListener('input', drawStates);

  const search = async () => {
    const p = new URLSearchParams();
    if (q.value.trim()) p.set('q', q.value.trim());
    if (kind.value) p.set('kind', kind.value);
    clear(results);
    if (![...p.keys()].length) return;
    const items = await api.all('/api/v1/directory?limit=1000&' + p, 5);
    results.append(h('h2', {}, t('directory.results', { n: items.length })), exports(p),
      ...byState(items, states));
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    if (q.value.trim()) p.set('q', q.value.trim());
    if (kind.value) p.set('kind', kind.value);
    history.replaceState(null, '', '/directory' + (p.toString() ? '?' + p : ''));
    search().catch((err) => results.append(h('p', { class: 'error', role: 'alert' }, err.message)));
  });

  // Every account of a state is told of the e-mail and key changes its entries wait for.
  const mine = api.me.state ? (await api.get('/api/v1/me')).data.pending_changes || [] : [];
  put(root, h('h1', {}, t('directory.title')),
    mine.length ? h('p', { class: 'notice warn', role: 'status', id: 'pending-notice' },
      t('change.notice', { n: mine.length })) : null,
    exports({}), form, results,
    h('section', { class: 'card' },
      h('h2', {}, t('directory.states', { n: participating.length })),
      field('filter', t('directory.filter_states'), filter), list));
  drawStates();
  await search();
}
