// Ping campaigns, for the Secretariat: launching one, the list, a campaign's figures per
// state, and the trend over campaigns as a chart.
import * as api from '../lib/api.js';
import { h, field, group, select, checkedValues, formError, showErrors, clear, put } from '../lib/dom.js';
import { t, fmtDateTime, fmtPercent, fmtDuration, current } from '../lib/i18n.js';
import { KINDS, stateName } from '../lib/poc.js';
import { lineChart } from '../lib/chart.js';
import { go, flash } from '../app.js';

function figuresRow(label, f) {
  return h('tr', {}, h('th', { scope: 'row' }, label),
    h('td', {}, f.pings), h('td', {}, f.answered), h('td', {}, f.late), h('td', {}, f.open),
    h('td', {}, f.unanswered), h('td', {}, f.correct), h('td', {}, fmtPercent(f.share_answered)),
    h('td', {}, fmtDuration(f.latency_median_seconds)));
}

function figuresTable(rows) {
  return h('table', { class: 'figures' }, h('thead', {}, h('tr', {},
    h('th', {}, ''), h('th', {}, t('campaigns.pings')), h('th', {}, t('campaigns.answered')),
    h('th', {}, t('campaigns.late')), h('th', {}, t('campaigns.open')),
    h('th', {}, t('campaigns.unanswered')), h('th', {}, t('campaigns.correct')),
    h('th', {}, t('campaigns.share')), h('th', {}, t('campaigns.median')))),
  h('tbody', {}, rows));
}

async function detail(root, id, states) {
  const c = (await api.get('/api/v1/ping-campaigns/' + encodeURIComponent(id))).data;
  put(root, h('p', {}, h('a', { href: '/campaigns' }, t('campaigns.back'))),
    h('h1', {}, t('campaigns.one', { date: fmtDateTime(c.created_at) })),
    c.complete ? null : h('p', { class: 'filling', role: 'status' }, t('campaigns.filling')),
    h('p', {}, t('campaigns.due', { date: fmtDateTime(c.due) })),
    figuresTable([figuresRow(t('campaigns.all'), c.summary),
      ...(c.states || []).map((s) => figuresRow(stateName(states.get(s.state)) + ' (' + s.state + ')', s))]),
    h('p', {}, h('a', {
      class: 'button', download: '', href: '/api/v1/ping-campaigns/' + c.id + '/results?format=csv',
    }, t('campaigns.results_csv'))));
}

async function trend(box, code) {
  const q = code ? '?state=' + code : '';
  const r = (await api.get('/api/v1/reports/pings' + q)).data;
  const cs = [...r.campaigns].sort((a, b) => a.created_at.localeCompare(b.created_at));
  const fmt = new Intl.DateTimeFormat(current(), { month: 'short', day: 'numeric', timeZone: 'UTC' });
  const labels = cs.map((c) => fmt.format(new Date(c.created_at)));
  clear(box).append(cs.length ? lineChart(t('campaigns.trend_title'), labels, [
    { name: t('campaigns.share'), cls: 's1', values: cs.map((c) => c.figures.share_answered) },
    { name: t('campaigns.share_correct'), cls: 's2',
      values: cs.map((c) => c.figures.share_answered_correctly) },
  ]) : h('p', {}, t('campaigns.none')),
  h('p', { class: 'legend' }, h('span', { class: 'key s1' }, t('campaigns.share')), ' ',
    h('span', { class: 'key s2' }, t('campaigns.share_correct'))));
}

export async function render(root, params) {
  const states = await api.states();
  if (params.get('id')) {
    await detail(root, params.get('id'), states);
    return;
  }
  const participating = [...states.values()].filter((s) => s.participating)
    .sort((a, b) => stateName(a).localeCompare(stateName(b)));

  const scopeMode = group('scope_mode', t('campaigns.scope'),
    [['all', t('campaigns.scope_all')], ['list', t('campaigns.scope_list')]], 'radio', ['all']);
  const codes = h('input', { dir: 'ltr', placeholder: 'FRA, KEN' });
  const codesBox = field('scope', t('campaigns.codes'), codes, t('campaigns.codes_hint'));
  const showCodes = () => {
    codesBox.hidden = checkedValues(scopeMode, 'scope_mode')[0] === 'all';
  };
  scopeMode.addEventListener('change', showCodes);
  showCodes();
  const kinds = group('kinds', t('campaigns.kinds'),
    Object.entries(KINDS).map(([k, key]) => [k, t(key)]), 'checkbox', ['technical', 'diplomatic']);
  const hours = h('input', { type: 'number', min: 1, max: 720, value: 72 });
  const challenge = h('input', { type: 'checkbox', id: 'challenge', checked: true });
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', {}, t('campaigns.launch')), formError(), scopeMode,
    codesBox, kinds,
    field('window_hours', t('campaigns.window'), hours),
    h('div', { class: 'field', dataset: { field: 'challenge' } },
      h('span', { class: 'choice' }, challenge, h('label', { for: 'challenge' }, t('campaigns.challenge'))),
      h('p', { class: 'error', hidden: true })),
    h('button', { type: 'submit' }, t('campaigns.start')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const all = checkedValues(scopeMode, 'scope_mode')[0] === 'all';
    const body = {
      scope: all ? 'all' : codes.value.toUpperCase().split(/[,\s]+/).filter(Boolean),
      kinds: checkedValues(kinds, 'kinds'), window_hours: Number(hours.value),
      challenge: challenge.checked,
    };
    try {
      const r = await api.post('/api/v1/ping-campaigns', body);
      // 202: the scheduler writes the campaign's pings in chunks, their count not yet known.
      flash(r.status === 202 ? t('campaigns.started_filling') : t('campaigns.started', { n: r.data.pings }));
      go('/campaigns?id=' + r.data.id);
    } catch (err) {
      showErrors(form, err.problem);
    }
  });

  const list = await api.all('/api/v1/ping-campaigns?limit=100', 1);
  const pick = select([['', t('campaigns.all')],
    ...participating.map((s) => [s.code, stateName(s) + ' (' + s.code + ')'])], '');
  const chart = h('div', { class: 'chart-box' });
  pick.addEventListener('change', () => trend(chart, pick.value));

  put(root, h('h1', {}, t('campaigns.title')), form,
    h('section', { class: 'card' }, h('h2', {}, t('campaigns.trend')),
      field('trend_state', t('campaigns.trend_state'), pick), chart),
    h('section', {}, h('h2', {}, t('campaigns.list')), list.length
      ? h('ul', {}, list.map((c) => h('li', {}, h('a', { href: '/campaigns?id=' + c.id },
        fmtDateTime(c.created_at)), ' · ', c.scope === 'all' ? t('campaigns.scope_all')
        : [].concat(c.scope).join(', '), ' · ', t('campaigns.due', { date: fmtDateTime(c.due) }),
        c.complete ? null : [' · ', h('em', { class: 'filling' }, t('campaigns.filling'))])))
      : h('p', {}, t('campaigns.none'))));
  await trend(chart, '');
}
