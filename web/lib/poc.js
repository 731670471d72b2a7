// A PoC entry as a card: who, how to reach them, their local time now and whether they are
// inside their operating hours, and whether the entry is past its review date.
import { h } from './dom.js';
import { t, current, fmtDate } from './i18n.js';
import { inHours, localTime, dayName } from './hours.js';

export const KINDS = { technical: 'poc.kind_technical', diplomatic: 'poc.kind_diplomatic' };
export const RANKS = { primary: 'poc.rank_primary', alternate: 'poc.rank_alternate' };

export function stateName(s) {
  return s ? (s.names[current()] || s.names.en) : '';
}

function language(code) {
  try {
    return new Intl.DisplayNames([current()], { type: 'language' }).of(code) || code;
  } catch {
    return code;
  }
}

// A list as the interface's language writes one ("ar, en" / "العربية، الإنجليزية").
function listOf(items) {
  try {
    return new Intl.ListFormat(current(), { style: 'short', type: 'unit' }).format(items);
  } catch {
    return items.join(', ');
  }
}

export function hoursText(av) {
  if (av === '24/7') return t('poc.always');
  return (av.weekly || []).map((s) => listOf(s.days.map(dayName)) + ' ' + s.from + '–' + s.to)
    .join('; ');
}

// When the entry's e-mail address or key last changed: every reader is shown, so that a
// counterpart that did not expect it can check it by another channel.
function changedMark(p, what, key) {
  const at = p.changed && p.changed[what];
  return at ? [' ', h('span', { class: 'badge warn changed', dataset: { changed: what } },
    t(key, { date: fmtDate(at.slice(0, 10)) }))] : null;
}

export function pocCard(p, actions) {
  const open = inHours(p.availability, p.time_zone);
  return h('article', { class: 'poc' + (p.stale ? ' stale' : ''), dataset: { poc: p.id } },
    h('h3', {}, t(KINDS[p.kind]) + ' · ' + t(RANKS[p.rank]),
      p.stale ? h('span', { class: 'badge warn' }, t('poc.stale')) : null),
    h('p', { class: 'org' }, p.organisation, ' — ', p.role_title,
      p.person_name ? [' — ', p.person_name] : null),
    h('dl', { class: 'facts' },
      h('dt', {}, t('poc.email')),
      h('dd', {}, h('a', { href: 'mailto:' + p.email }, p.email),
        changedMark(p, 'email', 'poc.email_changed')),
      h('dt', {}, t('poc.phones')),
      h('dd', {}, p.phones.map((n, i) => [i ? ', ' : '', h('a', { href: 'tel:' + n, dir: 'ltr' }, n)])),
      h('dt', {}, t('poc.languages')), h('dd', {}, listOf(p.languages.map(language))),
      h('dt', {}, t('poc.local_time')),
      h('dd', {}, localTime(p.time_zone), ' (', p.time_zone, ') ',
        open === null ? null : h('span', { class: 'badge ' + (open ? 'ok' : 'off') },
          t(open ? 'poc.open_now' : 'poc.closed_now'))),
      h('dt', {}, t('poc.hours')), h('dd', {}, hoursText(p.availability)),
      p.pgp_fingerprint ? [h('dt', {}, t('poc.pgp')),
        h('dd', {}, h('span', { class: 'mono', dir: 'ltr' }, p.pgp_fingerprint),
          changedMark(p, 'key', 'poc.key_changed'))] : null,
      !p.pgp_fingerprint && p.changed && p.changed.key
        ? [h('dt', {}, t('poc.pgp')), h('dd', {}, changedMark(p, 'key', 'poc.key_changed'))]
        : null,
      h('dt', {}, t('poc.review_by')), h('dd', {}, fmtDate(p.review_by))),
    actions || null);
}
