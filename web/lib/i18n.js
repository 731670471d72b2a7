// The interface's language: chosen by ?lang=, remembered in localStorage (the language only),
// strings from one catalog per language in /i18n/.
export const LANGS = ['ar', 'zh', 'en', 'fr', 'ru', 'es'];
export const LANG_NAMES = {
  ar: 'العربية', zh: '中文', en: 'English', fr: 'Français', ru: 'Русский', es: 'Español',
};
const RTL = new Set(['ar']);
const KEY = 'pocd.lang';

let lang = 'en';
let catalog = {};

function stored() {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

function remember(l) {
  try {
    localStorage.setItem(KEY, l);
  } catch {
    // Private windows may refuse storage: the language then lasts for this page only.
  }
}

// The language this page should use: ?lang= first (and remembered), then the one remembered,
// then the browser's, then English.
export function choose() {
  const q = new URLSearchParams(location.search).get('lang');
  if (q && LANGS.includes(q)) {
    remember(q);
    return q;
  }
  const s = stored();
  if (s && LANGS.includes(s)) return s;
  for (const l of navigator.languages || []) {
    const p = l.slice(0, 2).toLowerCase();
    if (LANGS.includes(p)) return p;
  }
  return 'en';
}

// Loads the catalog of l and sets the document's language and direction.
export async function load(l) {
  const r = await fetch('/i18n/' + l + '.json', { credentials: 'same-origin' });
  if (!r.ok) throw new Error('catalog ' + l + ': ' + r.status);
  catalog = await r.json();
  lang = l;
  document.documentElement.lang = l;
  document.documentElement.dir = RTL.has(l) ? 'rtl' : 'ltr';
}

export function setLang(l) {
  remember(l);
}

export function current() {
  return lang;
}

// The string of key with {name} placeholders filled from vars; the key itself when the
// catalog lacks it (tests/web/test_catalogs.py makes sure none does).
export function t(key, vars) {
  let s = Object.prototype.hasOwnProperty.call(catalog, key) ? catalog[key] : key;
  if (vars) {
    s = s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  }
  return s;
}

// Fills the static text of the page shell: data-i18n (text) and data-i18n-label (aria-label).
export function translateShell(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  }
}

// Dates and times, in the interface's language.
export function fmtDateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return new Intl.DateTimeFormat(lang, {
    dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC',
  }).format(d) + ' UTC';
}

export function fmtDate(isoDate) {
  if (!isoDate) return '';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' })
    .format(new Date(isoDate + 'T00:00:00Z'));
}

export function fmtPercent(x) {
  if (x === null || x === undefined) return '–';
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 }).format(x);
}

// "in 2 hours", "3 minutes ago": how far t (ms since the epoch) is from now.
export function fmtRelative(ms, now = Date.now()) {
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'always' });
  const s = Math.round((ms - now) / 1000);
  const a = Math.abs(s);
  if (a < 3600) return rtf.format(Math.round(s / 60), 'minute');
  if (a < 172800) return rtf.format(Math.round(s / 3600), 'hour');
  return rtf.format(Math.round(s / 86400), 'day');
}

// A duration in seconds as minutes or hours, with the unit in the interface's language.
export function fmtDuration(s) {
  if (s === null || s === undefined) return '–';
  const unit = s < 3600 ? 'minute' : 'hour';
  return new Intl.NumberFormat(lang, {
    style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: unit === 'hour' ? 1 : 0,
  }).format(unit === 'hour' ? s / 3600 : s / 60);
}
