// A line chart of shares (0 to 1) over a series of points, as inline SVG: no library, no
// inline style (the page's policy forbids both script and style from elsewhere).
import { svg } from './dom.js';
import { fmtPercent } from './i18n.js';

const W = 640;
const H = 240;
const PAD = { l: 48, r: 16, t: 16, b: 40 };

// series: [{name, cls, values: [share or null]}]; labels: one per point. The chart reads
// left to right whatever the page's direction: time runs that way on both.
export function lineChart(title, labels, series) {
  const n = labels.length;
  const x = (i) => PAD.l + (n <= 1 ? (W - PAD.l - PAD.r) / 2 : i * (W - PAD.l - PAD.r) / (n - 1));
  const y = (v) => PAD.t + (1 - v) * (H - PAD.t - PAD.b);
  const grid = [0, 0.25, 0.5, 0.75, 1].map((v) => [
    svg('line', { x1: PAD.l, x2: W - PAD.r, y1: y(v), y2: y(v), class: 'grid' }),
    svg('text', { x: PAD.l - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, fmtPercent(v)),
  ]);
  const step = Math.max(1, Math.ceil(n / 8));
  const ticks = labels.map((l, i) => (i % step === 0 || i === n - 1
    ? svg('text', { x: x(i), y: H - PAD.b + 18, class: 'axis', 'text-anchor': 'middle' }, l)
    : null)).filter(Boolean);
  const lines = series.map((s) => {
    const pts = s.values.map((v, i) => (v === null ? null : [x(i), y(v)])).filter(Boolean);
    return svg('g', { class: 'series ' + s.cls },
      pts.length > 1 ? svg('polyline', { points: pts.map((p) => p.join(',')).join(' ') }) : null,
      s.values.map((v, i) => (v === null ? null : svg('circle', { cx: x(i), cy: y(v), r: 4 },
        svg('title', {}, s.name + ' · ' + labels[i] + ': ' + fmtPercent(v))))).filter(Boolean));
  });
  return svg('svg', {
    viewBox: '0 0 ' + W + ' ' + H, class: 'chart', role: 'img', 'aria-label': title, direction: 'ltr',
  }, svg('title', {}, title), grid, ticks, lines);
}

// Horizontal bars, one group per row: groups [{label, values: [number or null]}], one value
// per series [{name, cls}]; fmt writes a value; max is the scale's end. Each group's label
// stands above its bars, so long labels in any language fit.
export function barChart(title, groups, series, max, fmt) {
  const rowH = 22 + 18 * series.length + 10;
  const height = 8 + groups.length * rowH;
  const left = 8;
  const width = W - left - 100;
  const rows = groups.map((g, gi) => {
    const top = 8 + gi * rowH;
    return svg('g', {},
      svg('text', { x: left, y: top + 14, class: 'label' }, g.label),
      g.values.map((v, si) => {
        const y = top + 22 + si * 18;
        const w = v === null || !max ? 0 : Math.max(1, Math.min(1, v / max) * width);
        return svg('g', { class: 'series ' + series[si].cls },
          svg('rect', { x: left, y, width: w, height: 14 },
            svg('title', {}, series[si].name + ' · ' + g.label + ': ' + fmt(v))),
          svg('text', { x: left + w + 6, y: y + 12, class: 'axis' }, fmt(v)));
      }));
  });
  return svg('svg', {
    viewBox: '0 0 ' + W + ' ' + height, class: 'chart', role: 'img', 'aria-label': title,
    direction: 'ltr',
  }, svg('title', {}, title), rows);
}
