// Building the page from data: elements with text nodes only, never HTML from strings, so
// nothing a server or a user typed can run.
import { t } from './i18n.js';

// h('p', {class: 'x', onclick: f}, 'text', child, [more]) -> an element.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// SVG elements (charts).
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  append(el, children);
  return el;
}

// Appends children to el as h() does: arrays flattened, null and false left out.
export function put(el, ...children) {
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

let uid = 0;

// A labelled control with a place for its error: field('email', t('poc.email'), input).
// The control gets an id, the label points at it, and the error paragraph describes it.
export function field(name, label, control, hint) {
  const id = 'f-' + name.replace(/[^a-z0-9_-]/gi, '-') + '-' + ++uid;
  control.id = id;
  if (!control.name) control.name = name;
  const err = h('p', { class: 'error', id: id + '-err', hidden: true });
  const described = [err.id];
  let hintEl = null;
  if (hint) {
    hintEl = h('p', { class: 'hint', id: id + '-hint' }, hint);
    described.unshift(hintEl.id);
  }
  control.setAttribute('aria-describedby', described.join(' '));
  return h('div', { class: 'field', dataset: { field: name } },
    h('label', { for: id }, label), control, hintEl, err);
}

// A group of checkboxes or radios in a fieldset, with its error place.
export function group(name, legend, options, type = 'checkbox', checked = []) {
  const err = h('p', { class: 'error', hidden: true });
  const fs = h('fieldset', { class: 'field group', dataset: { field: name } },
    h('legend', {}, legend),
    options.map(([value, label]) => {
      const id = 'f-' + name + '-' + value.replace(/[^a-z0-9_-]/gi, '-') + '-' + ++uid;
      return h('span', { class: 'choice' },
        h('input', { type, id, name, value, checked: checked.includes(value) }),
        h('label', { for: id }, label));
    }),
    err);
  return fs;
}

export function checkedValues(root, name) {
  return [...root.querySelectorAll('input[name="' + name + '"]:checked')].map((i) => i.value);
}

// A <select> of [value, label] pairs.
export function select(options, value, attrs) {
  return h('select', attrs || {},
    options.map(([v, l]) => h('option', { value: v, selected: v === value }, l)));
}

// Clears the errors shown in form.
export function clearErrors(form) {
  for (const p of form.querySelectorAll('.error')) {
    p.hidden = true;
    p.textContent = '';
  }
  for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
}

// Shows a problem document's errors next to their fields ("phones[1]" next to "phones",
// "to[0].kinds" next to "to"); the rest, and the detail when no field matched, in the form's
// summary. Moves the focus to the first field in error.
export function showErrors(form, problem) {
  clearErrors(form);
  const rest = [];
  let first = null;
  for (const e of problem.errors || []) {
    const base = e.field.replace(/[[.].*$/, '');
    const box = form.querySelector('[data-field="' + CSS.escape(e.field) + '"]') ||
      form.querySelector('[data-field="' + CSS.escape(base) + '"]');
    if (!box) {
      rest.push(e.field + ': ' + e.reason);
      continue;
    }
    const p = box.querySelector(':scope > .error');
    p.hidden = false;
    p.textContent = (p.textContent ? p.textContent + ' ' : '') +
      (e.field !== base ? e.field + ': ' : '') + e.reason;
    const c = box.querySelector('input, select, textarea');
    if (c) {
      c.setAttribute('aria-invalid', 'true');
      if (!first) first = c;
    }
  }
  const summary = form.querySelector('.form-error');
  if (summary) {
    const msgs = rest.length ? rest : (problem.errors && problem.errors.length ? [] :
      [problem.detail || t('error.generic')]);
    summary.hidden = msgs.length === 0;
    summary.textContent = msgs.join(' · ');
    if (!first && msgs.length) summary.focus();
  }
  if (first) first.focus();
}

// The summary line every form has for errors that belong to no field.
export function formError() {
  return h('p', { class: 'error form-error', role: 'alert', tabindex: '-1', hidden: true });
}
