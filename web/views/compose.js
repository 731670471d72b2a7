// Composing a communication from the template: coded fields as choices in the interface's
// language, recipients with the kinds of PoC addressed, typed indicators.
import * as api from '../lib/api.js';
import { h, field, group, select, checkedValues, formError, showErrors, put } from '../lib/dom.js';
import { t, current, LANGS, LANG_NAMES } from '../lib/i18n.js';
import { template } from '../lib/template.js';
import { stateName, KINDS } from '../lib/poc.js';
import { go, flash } from '../app.js';
import { receiptButton } from '../lib/receipt.js';
import * as attach from '../lib/attachments.js';

// datetime-local (read as UTC) -> RFC 3339.
function utc(v) {
  return v ? new Date(v + ':00Z').toISOString().replace(/\.\d+Z$/, 'Z') : null;
}

export async function render(root) {
  const tpl = await template();
  const states = await api.states();
  const others = [...states.values()].filter((s) => s.participating && s.code !== api.me.state)
    .sort((a, b) => stateName(a).localeCompare(stateName(b)));
  const choices = (name, value) => select(tpl.sets[name].codes, value);

  const type = choices('type', 'notification');
  const urgency = choices('urgency', 'routine');
  const tlp = choices('tlp', 'AMBER');

  const rows = h('div', { class: 'recipients' });
  const pick = select([['', t('compose.choose_state')],
    ...others.map((s) => [s.code, stateName(s) + ' (' + s.code + ')'])], '');
  const addRecipient = () => {
    const code = pick.value;
    if (!code || [...rows.children].some((r) => r.dataset.state === code)) return;
    const row = h('div', { class: 'recipient', dataset: { state: code } },
      h('strong', {}, stateName(states.get(code)), ' (', code, ')'),
      group('kinds-' + code, t('compose.kinds'),
        Object.entries(KINDS).map(([k, key]) => [k, t(key)]), 'checkbox', ['technical']),
      h('button', {
        type: 'button', class: 'link', onclick: () => row.remove(),
        'aria-label': t('compose.remove_recipient', { state: code }),
      }, t('compose.remove')));
    rows.append(row);
    pick.value = '';
  };
  const toBox = h('fieldset', { class: 'field', dataset: { field: 'to' } },
    h('legend', {}, t('compose.to')), rows,
    h('div', { class: 'inline' }, h('label', { for: 'pick-state', class: 'sr' }, t('compose.choose_state')),
      Object.assign(pick, { id: 'pick-state' }),
      h('button', { type: 'button', onclick: addRecipient }, t('compose.add_recipient'))),
    h('p', { class: 'error', hidden: true }));

  const textLang = select(LANGS.map((l) => [l, LANG_NAMES[l]]), current());
  const subject = h('input', { maxlength: 200, required: true });
  const description = h('textarea', { rows: 6, required: true });
  const sectors = group('sectors', tpl.sets.sector.label, tpl.sets.sector.codes);
  const incStatus = select([['', '–'], ...tpl.sets.incident_status.codes], '');
  const impact = select([['', '–'], ...tpl.sets.impact.codes], '');
  const firstSeen = h('input', { type: 'datetime-local' });
  const detected = h('input', { type: 'datetime-local' });
  const incident = h('fieldset', { class: 'field', dataset: { field: 'incident' } },
    h('legend', {}, t('compose.incident')),
    h('div', { class: 'cols' },
      field('incident.status', tpl.sets.incident_status.label, incStatus),
      field('incident.impact', tpl.sets.impact.label, impact),
      field('incident.first_seen', t('compose.first_seen'), firstSeen, t('compose.utc')),
      field('incident.detected', t('compose.detected'), detected, t('compose.utc'))),
    h('p', { class: 'error', hidden: true }));

  const indRows = h('div', {});
  const addIndicator = () => {
    const row = h('div', { class: 'indicator inline' },
      field('indicator_type', tpl.sets.indicator_type.label, select(tpl.sets.indicator_type.codes)),
      field('indicator_value', t('compose.indicator_value'), h('input', { dir: 'ltr' })),
      h('button', { type: 'button', class: 'link', onclick: () => row.remove() }, t('compose.remove')));
    indRows.append(row);
  };
  const indicators = h('fieldset', { class: 'field', dataset: { field: 'indicators' } },
    h('legend', {}, t('compose.indicators')), indRows,
    h('button', { type: 'button', class: 'link', onclick: addIndicator }, t('compose.add_indicator')),
    h('p', { class: 'error', hidden: true }));

  const actions = group('requested_action', tpl.sets.requested_action.label,
    tpl.sets.requested_action.codes);
  const replyBy = h('input', { type: 'datetime-local' });
  const replyLangs = group('reply_languages', t('compose.reply_languages'),
    LANGS.map((l) => [l, LANG_NAMES[l]]));
  const open = h('input', { type: 'checkbox', id: 'open-dist' });
  const files = attach.picker();

  const form = h('form', { class: 'card compose', novalidate: true },
    h('h1', {}, t('compose.title')),
    formError(),
    h('div', { class: 'cols' }, field('type', tpl.sets.type.label, type),
      field('urgency', tpl.sets.urgency.label, urgency), field('tlp', tpl.sets.tlp.label, tlp)),
    toBox,
    field('text_lang', t('compose.text_lang'), textLang),
    field('subject', t('compose.subject'), subject),
    field('description', t('compose.description'), description, t('compose.one_paragraph')),
    sectors, incident, indicators, files.el, actions,
    field('reply_by', t('compose.reply_by'), replyBy, t('compose.utc')),
    replyLangs,
    h('div', { class: 'field', dataset: { field: 'open_distribution' } },
      h('span', { class: 'choice' }, open, h('label', { for: 'open-dist' }, t('compose.open_distribution'))),
      h('p', { class: 'error', hidden: true })),
    h('p', { class: 'actions' }, h('button', { type: 'submit' }, t('compose.send'))));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const lang = textLang.value;
    const body = {
      type: type.value, urgency: urgency.value, tlp: tlp.value,
      to: [...rows.children].map((r) => ({
        state: r.dataset.state, kinds: checkedValues(r, 'kinds-' + r.dataset.state),
      })),
      subject: { text: subject.value.trim(), lang },
      // Texts are one paragraph: line breaks become spaces.
      description: { text: description.value.replace(/\s*[\r\n\t]+\s*/g, ' ').trim(), lang },
    };
    const sec = checkedValues(sectors, 'sectors');
    if (sec.length) body.sectors = sec;
    const inc = {};
    if (incStatus.value) inc.status = incStatus.value;
    if (impact.value) inc.impact = impact.value;
    if (firstSeen.value) inc.first_seen = utc(firstSeen.value);
    if (detected.value) inc.detected = utc(detected.value);
    if (Object.keys(inc).length) body.incident = inc;
    const ind = [...indRows.children].map((r) => ({
      type: r.querySelector('select').value, value: r.querySelector('input').value.trim(),
    })).filter((i) => i.value);
    if (ind.length) body.indicators = ind;
    const act = checkedValues(actions, 'requested_action');
    if (act.length) body.requested_action = act;
    if (replyBy.value) body.reply_by = utc(replyBy.value);
    const rl = checkedValues(replyLangs, 'reply_languages');
    if (rl.length) body.reply_languages = rl;
    if (open.checked) body.open_distribution = true;
    try {
      const ids = await attach.uploadAll(files.input);
      if (ids.length) body.attachments = ids;
      const r = await api.post('/api/v1/communications', body);
      go('/thread?id=' + r.data.id);
      flash(t('compose.sent'), 'ok', r.data.receipt && receiptButton(r.data.receipt));
    } catch (err) {
      showErrors(form, err.problem);
    }
  });
  put(root, form);
}
