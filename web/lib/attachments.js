// Attachments in the interface: a file picker whose files are uploaded just before a
// communication or reply is sent, and the list of a message's attachments with their hashes.
import * as api from './api.js';
import { h, field } from './dom.js';
import { t, current } from './i18n.js';

// A labelled picker of several files: {el, input}.
export function picker() {
  const input = h('input', { type: 'file', multiple: true });
  return { el: field('attachments', t('attach.files'), input, t('attach.hint')), input };
}

// Uploads the picker's files, one after the other; resolves to their ids.
export async function uploadAll(input) {
  const ids = [];
  for (const f of input.files) ids.push((await api.upload(f)).data.id);
  return ids;
}

function size(n) {
  // Decimal units, as Intl names them (kB is 1000 bytes).
  const [v, unit] = n >= 1e6 ? [n / 1e6, 'megabyte'] : n >= 1e3 ? [n / 1e3, 'kilobyte']
    : [n, 'byte'];
  return new Intl.NumberFormat(current(), { style: 'unit', unit, maximumFractionDigits: 1 })
    .format(v);
}

// The attachments of a communication or reply: name (a download link), size and SHA-256.
export function list(items) {
  if (!items || !items.length) return null;
  return h('ul', { class: 'attachments' }, items.map((a) => h('li', {},
    h('a', { href: '/api/v1/attachments/' + encodeURIComponent(a.id), download: a.filename,
      dir: 'auto' }, a.filename),
    ' · ', size(a.size), ' · ', h('span', { class: 'hint' }, t('attach.sha256')), ' ',
    h('code', { dir: 'ltr', class: 'hash' }, a.sha256))));
}
