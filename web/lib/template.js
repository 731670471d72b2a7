// The communication template, with its coded fields' labels in the interface's language.
import { get } from './api.js';
import { current } from './i18n.js';

let cached = null;

// {sets: {name: {label, codes: [[code, label]...], labels: Map}}, deadlines}.
export async function template() {
  if (cached && cached.lang === current()) return cached;
  const r = await get('/api/v1/templates?lang=' + current());
  const sets = {};
  for (const s of r.data.sets) {
    sets[s.name] = {
      label: s.label,
      codes: s.codes.map((c) => [c.code, c.label]),
      labels: new Map(s.codes.map((c) => [c.code, c.label])),
    };
  }
  cached = { lang: current(), sets, deadlines: r.data.deadlines };
  return cached;
}

// The label of a code of set name, or the code itself.
export function label(tpl, name, code) {
  return (tpl.sets[name] && tpl.sets[name].labels.get(code)) || code;
}
