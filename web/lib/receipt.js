// Receipts as files a state keeps: a button that saves one as JSON, to check later on
// /verify or with poc verify.
import { h } from './dom.js';
import { t } from './i18n.js';

export function save(receipt) {
  const blob = new Blob([JSON.stringify(receipt, null, 2) + '\n'], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: 'receipt-' + receipt.event_id + '.json', hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own copy once started: the URL can go.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function receiptButton(receipt, label) {
  return h('button', {
    type: 'button', class: 'secondary receipt', dataset: { event: receipt.event_id },
    onclick: () => save(receipt),
  }, label || t('receipt.download'));
}
