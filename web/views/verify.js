// Verifying a receipt, for anyone it is shown to, without an account: the checks run in this
// browser against the log key shown (which the reader should compare with the key other
// states pinned), and the page says what the receipt proves.
import { h, field, formError, put, clear } from '../lib/dom.js';
import { t, fmtDateTime } from '../lib/i18n.js';
import { verifyReceipt } from '../lib/verify.js';

const CHECKS = {
  key: 'verify.check_key', key_id: 'verify.check_key_id', shape: 'verify.check_shape',
  checkpoint: 'verify.check_checkpoint', signature: 'verify.check_signature',
  inclusion: 'verify.check_inclusion', event: 'verify.check_event',
};

function leafFacts(leaf) {
  const at = Number.isInteger(leaf.time) ? new Date(leaf.time * 1000).toISOString() : null;
  return h('dl', { class: 'facts' },
    h('dt', {}, t('verify.event')), h('dd', { class: 'mono', dir: 'ltr' }, String(leaf.event || '')),
    h('dt', {}, t('verify.time')), h('dd', {}, at ? fmtDateTime(at) : '–'),
    h('dt', {}, t('verify.party')), h('dd', {}, String(leaf.party || '')),
    h('dt', {}, t('verify.actor_state')), h('dd', {}, String(leaf.actor_state || '–')),
    h('dt', {}, t('verify.object')), h('dd', { class: 'mono', dir: 'ltr' }, String(leaf.object || '')),
    h('dt', {}, t('verify.event_id')), h('dd', { class: 'mono', dir: 'ltr' }, String(leaf.event_id || '')));
}

export async function render(root) {
  const receipt = h('textarea', { rows: 8, dir: 'ltr', class: 'mono', spellcheck: 'false' });
  const file = h('input', { type: 'file', accept: 'application/json,.json' });
  const key = h('textarea', { rows: 2, dir: 'ltr', class: 'mono', spellcheck: 'false' });
  const result = h('section', { 'aria-live': 'polite', id: 'verdict' });
  file.addEventListener('change', async () => {
    if (file.files.length) receipt.value = await file.files[0].text();
  });
  const form = h('form', { class: 'card', novalidate: true }, formError(),
    field('receipt', t('verify.receipt'), receipt, t('verify.receipt_hint')),
    field('file', t('verify.file'), file),
    field('key', t('verify.key'), key, t('verify.key_hint')),
    h('button', { type: 'submit' }, t('verify.check')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(result);
    let doc = null;
    try {
      doc = JSON.parse(receipt.value);
    } catch {
      doc = null;
    }
    const v = await verifyReceipt(doc, key.value);
    const ok = v.checks.length === Object.keys(CHECKS).length && v.checks.every((c) => c.ok);
    put(result,
      h('h2', { class: ok ? 'verdict ok' : 'verdict bad', tabindex: '-1' }, t(ok ? 'verify.valid' : 'verify.invalid')),
      h('ul', { class: 'checks' }, v.checks.map((c) => h('li', { class: c.ok ? 'ok' : 'bad' },
        h('span', { class: 'mark', 'aria-hidden': 'true' }, c.ok ? '✓' : '✗'), ' ', t(CHECKS[c.check]),
        h('span', { class: 'sr' }, ': ', t(c.ok ? 'verify.passed' : 'verify.failed'))))),
      ok ? [h('p', {}, t('verify.proves', { size: v.size })), leafFacts(v.leaf)] : null);
    result.querySelector('h2').focus();
  });
  put(root, h('h1', {}, t('verify.title')), h('p', {}, t('verify.intro')), form, result);
  try {
    const r = await fetch('/api/v1/log/key', { cache: 'no-store' });
    key.value = r.ok ? (await r.text()).trim() : '';
  } catch {
    key.value = '';
  }
}
