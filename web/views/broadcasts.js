// Broadcasts: the Secretariat's announcements to every participating state (a planned ping
// test, maintenance, a meeting). The Secretariat writes one, in English and in whichever
// other UN languages it has a translation for, and every account reads them here, each in
// its interface's language where one was given.
import * as api from '../lib/api.js';
import { h, field, formError, showErrors, clearErrors, put, clear } from '../lib/dom.js';
import { t, fmtDateTime, current, LANGS, LANG_NAMES } from '../lib/i18n.js';
import { flash } from '../app.js';

// The text of b in the interface's language, else English.
function textOf(b) {
  const l = b.texts[current()] ? current() : 'en';
  return [l, b.texts[l]];
}

function list(items) {
  if (!items.length) return h('p', { class: 'empty' }, t('broadcasts.none'));
  return h('ul', { class: 'broadcasts' }, items.map((b) => {
    const [lang, text] = textOf(b);
    return h('li', { class: 'card', dataset: { id: b.id } },
      h('h3', { lang, dir: 'auto' }, text.subject),
      h('p', { class: 'meta' }, fmtDateTime(b.created_at), ' · ',
        t('broadcasts.languages', { langs: Object.keys(b.texts).map((k) => LANG_NAMES[k]).join(', ') })),
      h('p', { class: 'body', lang, dir: 'auto' }, text.body));
  }));
}

// One language's subject and body; English is required, the others optional.
function texts(lang) {
  const subject = h('input', { maxlength: 200, lang, dir: 'auto', required: lang === 'en' });
  const body = h('textarea', { rows: 5, maxlength: 4000, lang, dir: 'auto', required: lang === 'en' });
  const box = h('fieldset', { dataset: { lang } }, h('legend', {}, LANG_NAMES[lang]),
    field('texts.' + lang + '.subject', t('broadcasts.subject'), subject),
    field('texts.' + lang + '.body', t('broadcasts.body'), body));
  return { lang, subject, body, box };
}

export async function render(root) {
  const listBox = h('section', { id: 'broadcast-list' });
  const reload = async () => {
    const r = await api.get('/api/v1/broadcasts');
    clear(listBox).append(h('h2', {}, t('broadcasts.past')), list(r.data.items));
  };
  put(root, h('h1', {}, t('broadcasts.title')));
  if (api.me.role === 'secretariat') {
    const langs = ['en', ...LANGS.filter((l) => l !== 'en')].map(texts);
    const others = h('details', {}, h('summary', {}, t('broadcasts.translations')),
      langs.slice(1).map((x) => x.box));
    const form = h('form', { class: 'card', id: 'broadcast-form', novalidate: true },
      h('h2', {}, t('broadcasts.new')), h('p', {}, t('broadcasts.intro')), formError(),
      langs[0].box, others, h('button', { type: 'submit' }, t('broadcasts.send')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = { texts: {} };
      for (const x of langs) {
        if (x.lang === 'en' || x.subject.value.trim() || x.body.value.trim()) {
          body.texts[x.lang] = { subject: x.subject.value.trim(), body: x.body.value };
        }
      }
      if (!window.confirm(t('broadcasts.confirm'))) return;
      try {
        const r = await api.post('/api/v1/broadcasts', body);
        for (const x of langs) {
          x.subject.value = '';
          x.body.value = '';
        }
        clearErrors(form);
        await reload();
        flash(t('broadcasts.sent', { n: r.data.mails }));
      } catch (err) {
        showErrors(form, err.problem);
      }
    });
    put(root, form);
  } else {
    put(root, h('p', {}, t('broadcasts.intro_states')));
  }
  put(root, listBox);
  await reload();
}
