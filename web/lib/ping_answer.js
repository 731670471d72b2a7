// The answer to a ping: the code the person types back, and what the server made of it.
import { h, field, formError, showErrors } from './dom.js';
import { t } from './i18n.js';

// A form that asks for the code and calls send(code), which resolves to the API's answer
// ({correct, late}) or rejects with an ApiError.
export function answerForm(send, onDone) {
  const code = h('input', {
    autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', maxlength: 16,
    dir: 'ltr', class: 'mono', required: true,
  });
  const result = h('p', { role: 'status', class: 'result' });
  const form = h('form', { class: 'ping-answer', novalidate: true }, formError(),
    field('challenge', t('ping.code'), code, t('ping.code_hint')),
    h('button', { type: 'submit' }, t('ping.answer')), result);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const r = await send(code.value.trim());
      result.textContent = r.correct ? t(r.late ? 'ping.thanks_late' : 'ping.thanks')
        : t('ping.wrong_code');
      result.className = 'result ' + (r.correct ? 'ok' : 'warn');
      form.querySelector('button').disabled = true;
      code.disabled = true;
      if (onDone) onDone(r);
    } catch (err) {
      if (err.status === 410) err.problem.detail = t('ping.gone');
      if (err.status === 409) err.problem.detail = t('ping.already');
      showErrors(form, err.problem);
    }
  });
  return form;
}
