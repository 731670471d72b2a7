// Responsiveness, measured from the record: a state's own figures beside the aggregate of
// all states (the Secretariat sees every state), for communications and for ping tests.
import * as api from '../lib/api.js';
import { h, clear, put, field, select } from '../lib/dom.js';
import { t, fmtPercent, fmtDuration as hours, current } from '../lib/i18n.js';
import { barChart, lineChart } from '../lib/chart.js';
import { stateName } from '../lib/poc.js';

function figures(rows) {
  return h('table', { class: 'figures' }, h('thead', {}, h('tr', {}, h('th', {}, ''),
    h('th', {}, t('report.received')), h('th', {}, t('report.acknowledged')),
    h('th', {}, t('report.answered')), h('th', {}, t('report.share_in_time')),
    h('th', {}, t('report.ack_median')), h('th', {}, t('report.answer_median')))),
  h('tbody', {}, rows.map(([label, f]) => h('tr', {}, h('th', { scope: 'row' }, label),
    h('td', {}, f.received), h('td', {}, f.acknowledged), h('td', {}, f.answered),
    h('td', {}, fmtPercent(f.share_acknowledged_in_time)),
    h('td', {}, hours(f.ack_median_seconds)), h('td', {}, hours(f.answer_median_seconds))))));
}

async function pingTrend(box, code) {
  const r = (await api.get('/api/v1/reports/pings' + (code ? '?state=' + code : ''))).data;
  const cs = [...r.campaigns].sort((a, b) => a.created_at.localeCompare(b.created_at));
  const fmt = new Intl.DateTimeFormat(current(), { month: 'short', day: 'numeric', timeZone: 'UTC' });
  clear(box).append(cs.length ? lineChart(t('campaigns.trend_title'),
    cs.map((c) => fmt.format(new Date(c.created_at))), [
      { name: t('campaigns.share'), cls: 's1', values: cs.map((c) => c.figures.share_answered) },
      { name: t('campaigns.share_correct'), cls: 's2',
        values: cs.map((c) => c.figures.share_answered_correctly) },
    ]) : h('p', {}, t('campaigns.none')),
  h('p', { class: 'legend' }, h('span', { class: 'key s1' }, t('campaigns.share')), ' ',
    h('span', { class: 'key s2' }, t('campaigns.share_correct'))));
}

export async function render(root) {
  const states = await api.states();
  const r = (await api.get('/api/v1/reports/responsiveness')).data;
  const mine = api.me.state;
  const all = [t('report.all_states'), r.all];
  const own = r.states.find((s) => s.state === mine);
  const name = (code) => stateName(states.get(code)) + ' (' + code + ')';
  const rows = mine ? [[name(mine), own || null], all].filter(([, f]) => f)
    : [all, ...r.states.map((s) => [name(s.state), s])];
  const series = mine ? [{ name: name(mine), cls: 's1' }, { name: t('report.all_states'), cls: 's2' }]
    : [{ name: t('report.share_in_time'), cls: 's1' }];
  const shares = mine
    ? [{ label: t('report.share_in_time'),
      values: [own ? own.share_acknowledged_in_time : null, r.all.share_acknowledged_in_time] }]
    : r.states.map((s) => ({ label: s.state, values: [s.share_acknowledged_in_time] }));
  const times = mine ? [
    { label: t('report.ack_median'), values: [own ? own.ack_median_seconds : null, r.all.ack_median_seconds] },
    { label: t('report.answer_median'), values: [own ? own.answer_median_seconds : null, r.all.answer_median_seconds] },
  ] : [];
  const longest = Math.max(1, ...times.flatMap((g) => g.values.filter((v) => v !== null)));

  const trend = h('div', { class: 'chart-box' });
  const pick = mine ? null : select([['', t('campaigns.all')],
    ...[...states.values()].filter((s) => s.participating).map((s) => [s.code, name(s.code)])], '');
  if (pick) pick.addEventListener('change', () => pingTrend(trend, pick.value));

  put(root, h('h1', {}, t('report.title')),
    h('p', {}, t('report.since', { date: new Intl.DateTimeFormat(current(), { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(r.since)) })),
    h('section', { class: 'card' }, h('h2', {}, t('report.communications')),
      mine && !own ? h('p', {}, t('report.nothing_received')) : null,
      r.all.received ? barChart(t('report.share_in_time'), shares, series, 1, fmtPercent) : null,
      r.all.received && times.length ? barChart(t('report.times'), times, series, longest, hours)
        : null,
      mine ? h('p', { class: 'legend' }, h('span', { class: 'key s1' }, name(mine)), ' ',
        h('span', { class: 'key s2' }, t('report.all_states'))) : null,
      figures(rows)),
    h('section', { class: 'card' }, h('h2', {}, t('report.pings')),
      pick ? field('trend_state', t('campaigns.trend_state'), pick) : null, trend));
  await pingTrend(trend, '');
}
