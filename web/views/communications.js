// Communications: the inbox and the outbox, with each recipient's status and deadlines.
import * as api from '../lib/api.js';
import { h, select, field, put } from '../lib/dom.js';
import { t, fmtDateTime } from '../lib/i18n.js';
import { template, label } from '../lib/template.js';
import { recipientState, keepCounting, STATUS } from '../lib/deadline.js';
import { go } from '../app.js';

export async function render(root, params) {
  const box = params.get('box') === 'outbox' ? 'outbox' : 'inbox';
  const status = params.get('status') || '';
  const tpl = await template();
  const q = new URLSearchParams({ box, limit: '200' });
  if (status) q.set('status', status);
  const items = await api.all('/api/v1/communications?' + q, 5);

  const filter = select([['', t('comm.any_status')],
    ...Object.entries(STATUS).map(([k, key]) => [k, t(key)]), ['overdue', t('comm.overdue')]],
  status);
  filter.addEventListener('change', () => go('/communications?box=' + box +
    (filter.value ? '&status=' + filter.value : '')));

  const tab = (b, key) => h('a', {
    href: '/communications?box=' + b, class: 'tab', 'aria-current': b === box ? 'page' : null,
  }, t(key));

  put(root, h('h1', {}, t('comm.title')),
    h('p', { class: 'actions' }, h('a', { class: 'button', href: '/compose' }, t('comm.compose'))),
    h('nav', { class: 'tabs', 'aria-label': t('comm.boxes') },
      tab('inbox', 'comm.inbox'), tab('outbox', 'comm.outbox')),
    field('status', t('comm.filter_status'), filter),
    items.length ? h('table', { class: 'comms' },
      h('thead', {}, h('tr', {},
        h('th', {}, t('comm.subject')), h('th', {}, box === 'inbox' ? t('comm.from') : t('comm.to')),
        h('th', {}, t('comm.type')), h('th', {}, t('comm.urgency')), h('th', {}, 'TLP'),
        h('th', {}, t('comm.sent_at')), h('th', {}, t('comm.state')))),
      h('tbody', {}, items.map((c) => h('tr', { class: c.recipients.some((r) => r.overdue) ? 'overdue' : '' },
        h('td', {}, h('a', { href: '/thread?id=' + c.id },
          c.subject && c.subject.text ? c.subject.text : t('comm.withheld'))),
        h('td', {}, box === 'inbox' ? c.sender.state : c.recipients.map((r) => r.state).join(', ')),
        h('td', {}, label(tpl, 'type', c.type)),
        h('td', {}, h('span', { class: 'badge u-' + c.urgency }, label(tpl, 'urgency', c.urgency))),
        h('td', {}, h('span', { class: 'tlp tlp-' + c.tlp.replace('+', '-') }, 'TLP:' + c.tlp)),
        h('td', {}, fmtDateTime(c.created_at)),
        h('td', {}, c.recipients.map((r) => h('div', {},
          box === 'outbox' ? r.state + ': ' : '', recipientState(r))))))))
      : h('p', {}, t('comm.empty')));
  keepCounting();
}
