// Ping tests to answer: the open pings of the PoCs the caller acts for, each with its code.
import * as api from '../lib/api.js';
import { h, put } from '../lib/dom.js';
import { t, fmtDateTime } from '../lib/i18n.js';
import { KINDS } from '../lib/poc.js';
import { answerForm } from '../lib/ping_answer.js';

export async function render(root) {
  const open = await api.all('/api/v1/pings?status=open&limit=1000', 5);
  const pocs = new Map();
  if (api.me.role === 'state_admin') {
    for (const p of await api.all('/api/v1/states/' + api.me.state + '/pocs')) pocs.set(p.id, p);
  }
  const card = (p) => {
    const poc = pocs.get(p.poc);
    return h('article', { class: 'card ping', dataset: { ping: p.id } },
      h('h2', {}, t(KINDS[p.kind]), poc ? ' · ' + poc.organisation : ''),
      h('p', {}, t('pings.due', { date: fmtDateTime(p.due) })),
      p.challenge ? h('p', { lang: p.lang, dir: 'auto' }, p.instruction, ' ',
        h('strong', { class: 'mono', dir: 'ltr' }, p.challenge)) : null,
      answerForm(async (challenge) =>
        (await api.post('/api/v1/pings/' + p.id + '/answer',
          p.challenge ? { challenge } : {})).data));
  };
  put(root, h('h1', {}, t('pings.title')),
    open.length ? h('div', {}, open.map(card)) : h('p', {}, t('pings.none')));
}
