// Answering a ping through its single-use link /ping#TOKEN, without logging in. The token
// stays in the fragment, which browsers never send: the page posts it.
import { call } from '../lib/api.js';
import { h, put } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { answerForm } from '../lib/ping_answer.js';

let token = null;

export async function render(root) {
  // Read once, then taken off the address bar, so it is not left in the history.
  if (location.hash.length > 1) {
    token = decodeURIComponent(location.hash.slice(1));
    history.replaceState(null, '', location.pathname + location.search);
  }
  put(root, h('h1', {}, t('ping.title')));
  if (!token) {
    put(root, h('p', { class: 'error', role: 'alert' }, t('ping.no_token')));
    return;
  }
  put(root, h('p', {}, t('ping.intro')),
    answerForm(async (challenge) =>
      (await call('POST', '/api/v1/pings/answer', { token, challenge })).data));
}
