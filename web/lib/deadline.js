// A recipient's place in the lifecycle as people read it: status, what is due next and
// when, lateness and escalation; countdowns that keep counting while the page is open.
import { h } from './dom.js';
import { t, fmtRelative, fmtDateTime } from './i18n.js';

export const STATUS = {
  sent: 'comm.status_sent', acknowledged: 'comm.status_acknowledged',
  answered: 'comm.status_answered', closed: 'comm.status_closed',
};
const ESCALATION = {
  alternate_technical: 'comm.escalated_alternate', diplomatic: 'comm.escalated_diplomatic',
};

function countdown(key, iso) {
  const el = h('span', { class: 'countdown', title: fmtDateTime(iso), dataset: { due: iso, key } });
  tick(el);
  return el;
}

function tick(el) {
  const due = Date.parse(el.dataset.due);
  el.textContent = t(el.dataset.key, { when: fmtRelative(due) });
  el.classList.toggle('late', due < Date.now());
}

// Refreshes every countdown on the page each 30 seconds while one is shown.
let timer = null;
export function keepCounting() {
  if (timer) return;
  timer = setInterval(() => {
    const all = document.querySelectorAll('.countdown');
    if (!all.length) {
      clearInterval(timer);
      timer = null;
    }
    all.forEach(tick);
  }, 30000);
}

// Status badge, next deadline, lateness and escalation of recipient r.
export function recipientState(r) {
  const next = r.status === 'sent' ? countdown('comm.ack_due', r.ack_due)
    : r.status === 'acknowledged' ? countdown('comm.answer_due', r.answer_due) : null;
  return h('span', { class: 'lifecycle' },
    h('span', { class: 'badge s-' + r.status }, t(STATUS[r.status] || r.status)), ' ',
    r.overdue ? [h('strong', { class: 'badge late' }, t('comm.overdue')), ' '] : null,
    next,
    r.ack_late && !r.overdue ? [' ', h('span', { class: 'badge warn' }, t('comm.ack_late'))] : null,
    r.answer_late && !r.overdue ? [' ', h('span', { class: 'badge warn' }, t('comm.answer_late'))]
      : null,
    r.escalation && r.escalation !== 'none'
      ? [' ', h('strong', { class: 'badge esc' }, t(ESCALATION[r.escalation] || r.escalation))]
      : null);
}
