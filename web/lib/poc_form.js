// The form that adds or edits a PoC entry. Every control sits in a box named for the API
// field it fills, so the problem document's errors land next to their fields.
import { h, field, group, select, checkedValues, formError } from './dom.js';
import { t } from './i18n.js';
import { KINDS, RANKS } from './poc.js';
import { WEEK, dayName } from './hours.js';

function zones() {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
}

const list = (s) => s.split(/[,\s]+/).map((x) => x.trim()).filter(Boolean);
// Phones are separated by commas; within one, people write spaces, dots, dashes and
// parentheses that E.164 leaves out.
const phoneList = (s) => s.split(/[,;]+/).map((x) => x.replace(/[\s.()-]+/g, '')).filter(Boolean);

function slotRow(slot, onRemove) {
  const from = h('input', { type: 'time', value: slot.from, required: true });
  const to = h('input', { type: 'time', value: slot.to === '24:00' ? '23:59' : slot.to });
  const row = h('div', { class: 'slot' },
    group('days', t('poc.days'), WEEK.map((d) => [d, dayName(d)]), 'checkbox', slot.days),
    field('from', t('poc.from'), from), field('to', t('poc.to'), to),
    h('button', { type: 'button', class: 'link', onclick: () => onRemove(row) },
      t('poc.remove_hours')));
  row.read = () => ({
    days: checkedValues(row, 'days'), from: from.value,
    to: to.value === '23:59' ? '24:00' : to.value,
  });
  return row;
}

// The form, filled from p (an entry as read) or empty; accounts are the state's accounts to
// link. onSubmit(body) is called with the API body.
export function pocForm(p, accounts, onSubmit, onCancel) {
  const v = p || {};
  const kind = select(Object.entries(KINDS).map(([k, key]) => [k, t(key)]), v.kind || 'technical');
  const rank = select(Object.entries(RANKS).map(([k, key]) => [k, t(key)]), v.rank || 'primary');
  const org = h('input', { value: v.organisation || '', required: true, maxlength: 200 });
  const role = h('input', { value: v.role_title || '', required: true, maxlength: 200 });
  const person = h('input', { value: v.person_name || '', maxlength: 200 });
  const email = h('input', { type: 'email', value: v.email || '', required: true, dir: 'ltr' });
  const phones = h('input', { value: (v.phones || []).join(', '), required: true, dir: 'ltr' });
  const langs = h('input', { value: (v.languages || []).join(', '), required: true, dir: 'ltr' });
  const zone = h('input', { value: v.time_zone || '', required: true, list: 'zones', dir: 'ltr' });
  const pgp = h('input', { value: v.pgp_fingerprint || '', dir: 'ltr', class: 'mono' });
  const review = h('input', { type: 'date', value: v.review_by || '' });
  const always = v.availability === undefined || v.availability === '24/7';
  const mode = group('availability_mode', t('poc.hours'),
    [['always', t('poc.always')], ['weekly', t('poc.weekly')]], 'radio',
    [always ? 'always' : 'weekly']);
  const slots = h('div', { class: 'slots' });
  const removeSlot = (row) => row.remove();
  const addSlot = (s) => slots.append(slotRow(s, removeSlot));
  const slotBox = h('div', { class: 'field', dataset: { field: 'availability' } }, slots,
    h('button', { type: 'button', class: 'link', onclick: () =>
      addSlot({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }) },
    t('poc.add_hours')),
    h('p', { class: 'error', hidden: true }));
  for (const s of always ? [] : v.availability.weekly) addSlot(s);
  const showSlots = () => {
    const weekly = checkedValues(mode, 'availability_mode')[0] === 'weekly';
    slotBox.hidden = !weekly;
    if (weekly && !slots.children.length) {
      addSlot({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' });
    }
  };
  mode.addEventListener('change', showSlots);
  const linked = group('accounts', t('poc.accounts'),
    accounts.filter((a) => !a.disabled).map((a) => [a.id, a.username]), 'checkbox',
    v.accounts || []);

  const form = h('form', { class: 'card poc-form', novalidate: true },
    h('h2', {}, t(p ? 'poc.edit_title' : 'poc.add_title')),
    formError(),
    h('div', { class: 'cols' }, field('kind', t('poc.kind'), kind), field('rank', t('poc.rank'), rank)),
    field('organisation', t('poc.organisation'), org),
    field('role_title', t('poc.role_title'), role),
    field('person_name', t('poc.person_name'), person, t('poc.optional')),
    field('email', t('poc.email'), email),
    field('phones', t('poc.phones'), phones, t('poc.phones_hint')),
    field('languages', t('poc.languages'), langs, t('poc.languages_hint')),
    field('time_zone', t('poc.time_zone'), zone, t('poc.time_zone_hint')),
    h('datalist', { id: 'zones' }, zones().map((z) => h('option', { value: z }))),
    mode, slotBox,
    field('pgp_fingerprint', t('poc.pgp'), pgp, t('poc.optional')),
    field('review_by', t('poc.review_by'), review, t('poc.review_hint')),
    accounts.length ? linked : null,
    h('p', { class: 'actions' },
      h('button', { type: 'submit' }, t('poc.save')),
      h('button', { type: 'button', class: 'secondary', onclick: onCancel }, t('poc.cancel'))));
  showSlots();

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const weekly = checkedValues(mode, 'availability_mode')[0] === 'weekly';
    const body = {
      kind: kind.value, rank: rank.value, organisation: org.value.trim(),
      role_title: role.value.trim(), email: email.value.trim(), phones: phoneList(phones.value),
      languages: list(langs.value.toLowerCase()), time_zone: zone.value.trim(),
      availability: weekly ? { weekly: [...slots.children].map((r) => r.read()) } : '24/7',
    };
    if (person.value.trim()) body.person_name = person.value.trim();
    if (pgp.value.trim()) body.pgp_fingerprint = pgp.value.replace(/\s+/g, '').toUpperCase();
    if (review.value) body.review_by = review.value;
    const acc = checkedValues(linked, 'accounts');
    if (acc.length) body.accounts = acc;
    onSubmit(body, form);
  });
  return form;
}
