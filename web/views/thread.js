// One communication: its content, each recipient's lifecycle, the history and the thread of
// replies; acknowledge, reply and close as the caller's side may.
import * as api from '../lib/api.js';
import { h, field, select, formError, showErrors, clear, put } from '../lib/dom.js';
import { t, fmtDateTime, current, LANGS, LANG_NAMES } from '../lib/i18n.js';
import { template, label } from '../lib/template.js';
import { recipientState, keepCounting, STATUS } from '../lib/deadline.js';
import { flash } from '../app.js';
import { receiptButton } from '../lib/receipt.js';
import * as attach from '../lib/attachments.js';

const STEPS = { ...STATUS, overdue: 'comm.overdue', escalated: 'comm.escalated' };
const DETAILS = {
  acknowledgement: 'thread.late_ack', answer: 'thread.late_answer',
  alternate_technical: 'comm.escalated_alternate', diplomatic: 'comm.escalated_diplomatic',
};

function text(x) {
  if (x === undefined || x === null) return null;
  return h('p', { lang: x.lang, dir: 'auto', class: 'content' }, x.text);
}

export async function render(root, params) {
  const id = params.get('id') || '';
  const tpl = await template();
  const c = (await api.get('/api/v1/communications/' + encodeURIComponent(id))).data;
  const mine = api.me.state;
  const sender = c.sender.state === mine;
  const me = c.recipients.find((r) => r.state === mine);
  const withheld = c.content_withheld;

  const ackBtn = me && me.status === 'sent' ? h('button', {
    type: 'button', onclick: async () => {
      const r = await api.post('/api/v1/communications/' + c.id + '/acknowledge');
      clear(root);
      await render(root, params);
      flash(t('thread.acknowledged'), 'ok', r.data.receipt && receiptButton(r.data.receipt));
    },
  }, t('thread.acknowledge')) : null;
  const open = c.recipients.some((r) => r.status !== 'closed');
  const closeBtn = sender && open ? h('button', {
    type: 'button', class: 'danger', onclick: async () => {
      if (!window.confirm(t('thread.close_confirm'))) return;
      const r = await api.post('/api/v1/communications/' + c.id + '/close');
      clear(root);
      await render(root, params);
      flash(t('thread.closed'), 'ok', r.data.receipt && receiptButton(r.data.receipt));
    },
  }, t('thread.close')) : null;

  let replyForm = null;
  if (!withheld && (sender ? open : me && me.status !== 'closed')) {
    const txt = h('textarea', { rows: 4, required: true });
    const files = attach.picker();
    const lang = select(LANGS.map((l) => [l, LANG_NAMES[l]]), current());
    const to = sender ? select([['', t('thread.all_threads')],
      ...c.recipients.filter((r) => r.status !== 'closed').map((r) => [r.state, r.state])], '') : null;
    replyForm = h('form', { class: 'card', novalidate: true },
      h('h2', {}, t('thread.reply')), formError(),
      to ? field('state', t('thread.reply_to'), to) : null,
      field('text', t('thread.text'), txt, t('compose.one_paragraph')),
      field('lang', t('compose.text_lang'), lang),
      files.el,
      h('button', { type: 'submit' }, t('thread.send_reply')));
    replyForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = { text: txt.value.replace(/\s*[\r\n\t]+\s*/g, ' ').trim(), lang: lang.value };
      if (to && to.value) body.state = to.value;
      try {
        const ids = await attach.uploadAll(files.input);
        if (ids.length) body.attachments = ids;
        const r = await api.post('/api/v1/communications/' + c.id + '/replies', body);
        clear(root);
        await render(root, params);
        flash(t('thread.replied'), 'ok', r.data.receipt && receiptButton(r.data.receipt));
      } catch (err) {
        showErrors(replyForm, err.problem);
      }
    });
  }

  const receiptsBox = h('section', { class: 'receipts' });
  put(root,
    h('p', {}, h('a', { href: '/communications?box=' + (sender ? 'outbox' : 'inbox') }, t('thread.back'))),
    h('h1', { dir: 'auto' }, withheld ? t('comm.withheld') : c.subject.text),
    h('dl', { class: 'facts' },
      h('dt', {}, t('comm.type')), h('dd', {}, label(tpl, 'type', c.type)),
      h('dt', {}, t('comm.urgency')), h('dd', {}, label(tpl, 'urgency', c.urgency)),
      h('dt', {}, 'TLP'), h('dd', {}, h('span', { class: 'tlp tlp-' + c.tlp.replace('+', '-') },
        label(tpl, 'tlp', c.tlp))),
      h('dt', {}, t('comm.from')), h('dd', {}, c.sender.state),
      h('dt', {}, t('comm.sent_at')), h('dd', {}, fmtDateTime(c.created_at)),
      c.reply_by ? [h('dt', {}, t('compose.reply_by')), h('dd', {}, fmtDateTime(c.reply_by))] : null,
      c.sectors ? [h('dt', {}, tpl.sets.sector.label),
        h('dd', {}, c.sectors.map((s) => label(tpl, 'sector', s)).join(', '))] : null,
      c.incident && c.incident.status ? [h('dt', {}, tpl.sets.incident_status.label),
        h('dd', {}, label(tpl, 'incident_status', c.incident.status))] : null,
      c.incident && c.incident.impact ? [h('dt', {}, tpl.sets.impact.label),
        h('dd', {}, label(tpl, 'impact', c.incident.impact))] : null,
      c.requested_action ? [h('dt', {}, tpl.sets.requested_action.label),
        h('dd', {}, c.requested_action.map((a) => label(tpl, 'requested_action', a)).join(', '))] : null),
    withheld ? h('p', { class: 'notice' }, t('thread.withheld')) : text(c.description),
    c.indicators ? h('section', {}, h('h2', {}, t('compose.indicators')),
      h('ul', {}, c.indicators.map((i) => h('li', {}, label(tpl, 'indicator_type', i.type), ': ',
        h('code', { dir: 'ltr' }, i.value))))) : null,
    c.attachments ? h('section', {}, h('h2', {}, t('attach.title')), attach.list(c.attachments))
      : null,
    withheld ? null : h('p', { class: 'exports' }, t('thread.export'), ' ',
      h('a', { href: '/api/v1/communications/' + c.id + '?format=iodef', download: c.id + '.xml' },
        'IODEF'), ' · ',
      h('a', { href: '/api/v1/communications/' + c.id + '?format=stix', download: c.id + '.json' },
        'STIX 2.1')),
    h('section', {}, h('h2', {}, t('thread.recipients')),
      h('ul', { class: 'recipients' }, c.recipients.map((r) => h('li', {},
        h('strong', {}, r.state), ' ', recipientState(r))))),
    h('p', { class: 'actions' }, ackBtn, closeBtn),
    h('section', {}, h('h2', {}, t('thread.thread')),
      (c.thread || []).length ? h('ol', { class: 'thread' }, c.thread.map((m) => h('li', {
        class: m.author_state === mine ? 'own' : '',
      }, h('p', { class: 'meta' }, m.author_state, ' → ', m.author_state === c.sender.state ? m.thread : c.sender.state,
        ' · ', fmtDateTime(m.at)),
      m.content_withheld ? h('p', {}, t('comm.withheld')) : text(m), attach.list(m.attachments))))
        : h('p', {}, t('thread.no_replies'))),
    replyForm,
    receiptsBox,
    h('section', {}, h('h2', {}, t('thread.history')),
      h('ol', { class: 'history' }, c.history.map((s) => h('li', {},
        fmtDateTime(s.at), ' · ', s.state, ': ', h('strong', {}, t(STEPS[s.what] || s.what)),
        s.by ? ' (' + s.by + ')' : ' (' + t('thread.by_system') + ')',
        s.detail ? ' — ' + t(DETAILS[s.detail] || s.detail) : '')))));
  keepCounting();
  await receipts(receiptsBox, c.id);
}

// The receipts of the caller's state for the communication's logged steps.
async function receipts(box, id) {
  let items = [];
  try {
    items = (await api.get('/api/v1/communications/' + id + '/receipts')).data.items;
  } catch {
    // Steps logged before the log existed, or a log that is not there: nothing to offer.
    return;
  }
  if (!items.length) return;
  box.append(h('h2', {}, t('receipt.title')), h('p', {}, t('receipt.intro'), ' ',
    h('a', { href: '/verify' }, t('receipt.check'))),
  h('ul', {}, items.map((it) => h('li', {},
    t(STEPS[it.step] || it.step), it.state ? ' (' + it.state + ')' : '', ' ',
    receiptButton(it.receipt)))));
}
