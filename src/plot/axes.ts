// Axes shared by the line chart and the contour plot: d3-scale picks the ticks and formats them;
// this file only chooses how many fit, sizes the margins to the real label widths, and draws the
// grid, frame, ticks and labels as SVG.

// d3-scale and d3-contour (v4) are ES modules only; this package is CommonJS. Node ≥ 20.19 loads
// them with a plain require() (require(esm) is on by default there and warns only under
// --trace-require-module), hence engines ">=20.19". That keeps the APIs synchronous (a dynamic
// import() would make every chart function async) and uses the maintained majors (the last
// CommonJS ones, d3-scale 3 / d3-contour 2, date from 2020).
import { scaleLinear, scaleLog } from 'd3-scale';
import { textWidth } from './font';
import type { Rect } from './svg';
import { el, pathData, text, THEME } from './svg';

const TICK = 4;
const GAP = 3;

/** A positioned axis: value → pixel plus its ticks (labelled) and minor ticks (gridlines only). */
export interface Axis {
  readonly map: (v: number) => number;
  readonly ticks: readonly number[];
  readonly labels: readonly string[];
  readonly minor: readonly number[];
}

/** How an axis is scaled and ticked. */
export interface AxisSpec {
  readonly domain: readonly [number, number];
  readonly log?: boolean;
  /** Ticks only at whole numbers (epochs). */
  readonly integer?: boolean;
}

/** d3 writes 0.5 as '0.5' but 20000 as '20,000': past 10⁴ use SI suffixes (20k, 2M) instead. */
function linearAxis(spec: AxisSpec, range: readonly [number, number], count: number): Axis {
  const s = scaleLinear().domain([spec.domain[0], spec.domain[1]]).range([range[0], range[1]]);
  let ticks = s.ticks(count);
  if (spec.integer) {
    ticks = ticks.filter(Number.isInteger);
    // A short epoch range (1..2) has only fractional nice ticks: show every whole number instead.
    if (ticks.length < 2) {
      const [a, b] = [Math.ceil(Math.min(...spec.domain)), Math.floor(Math.max(...spec.domain))];
      ticks = b - a <= 20 ? Array.from({ length: b - a + 1 }, (_, k) => a + k) : ticks;
    }
  }
  const big = Math.max(...ticks.map(Math.abs)) >= 1e4;
  const fmt = spec.integer && !big ? (v: number) => String(v) : s.tickFormat(count, big ? '~s' : undefined);
  return { map: s, ticks, labels: ticks.map((v) => fmt(v)), minor: [] };
}

function logAxis(spec: AxisSpec, range: readonly [number, number], count: number): Axis {
  const s = scaleLog().domain([spec.domain[0], spec.domain[1]]).range([range[0], range[1]]);
  const all = s.ticks(count);
  // d3 returns every 1..9 × 10^k and blanks the labels that would crowd: blank ones are minor.
  const fmt = s.tickFormat(count, '~g');
  const labelled = all.filter((v) => fmt(v) !== '');
  // Whole decades when there are three or more (as matplotlib), and as fitAxis's last resort.
  const decades = all.filter((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
  const major = decades.length >= 3 || (count <= 2 && decades.length >= 2) ? decades : labelled.length >= 2 ? labelled : all;
  return { map: s, ticks: major, labels: major.map((v) => fmt(v) || String(v)), minor: all.filter((v) => !major.includes(v)) };
}

/**
 * The axis with the most ticks (at most `maxCount`) whose labels do not collide: horizontal axes
 * compare label widths, vertical ones the text height.
 */
export function fitAxis(spec: AxisSpec, range: readonly [number, number], maxCount: number, horizontal: boolean, fontSize: number): Axis {
  const make = (c: number): Axis => (spec.log ? logAxis(spec, range, c) : linearAxis(spec, range, c));
  for (let count = Math.max(3, Math.round(maxCount)); count > 2; count--) {
    const axis = make(count);
    const pos = axis.ticks.map(axis.map);
    const fits = pos.every((p, i) => {
      if (i === 0) return true;
      const need = horizontal ? (textWidth(axis.labels[i], fontSize) + textWidth(axis.labels[i - 1], fontSize)) / 2 + fontSize : 1.6 * fontSize;
      return Math.abs(p - pos[i - 1]) >= need;
    });
    if (fits) return axis;
  }
  return make(2);
}

/** Text sizes in px of one panel. */
export interface FontSizes {
  readonly tick: number;
  readonly label: number;
  readonly title: number;
}

/** Space around a plot rectangle for tick labels, axis labels and a title. */
export function margins(yLabels: readonly string[], has: { xLabel: boolean; yLabel: boolean; title: boolean }, fs: FontSizes): { left: number; right: number; top: number; bottom: number } {
  const yTickW = Math.max(0, ...yLabels.map((l) => textWidth(l, fs.tick)));
  return {
    left: Math.ceil(8 + (has.yLabel ? 1.3 * fs.label + 4 : 0) + yTickW + TICK + GAP),
    right: Math.ceil(12 + fs.tick),
    top: Math.ceil(has.title ? 1.5 * fs.title + 6 : fs.tick),
    bottom: Math.ceil(TICK + GAP + 1.2 * fs.tick + (has.xLabel ? 1.4 * fs.label + 2 : 0) + 8),
  };
}

/** Gridlines (drawn under the data) at the ticks, fainter at the minor ticks. */
export function gridSvg(plot: Rect, x: Axis, y: Axis): string {
  const inside = (p: number, lo: number, len: number): boolean => p > lo + 0.5 && p < lo + len - 0.5;
  const v = (vals: readonly number[]): string => vals.map(x.map).filter((p) => inside(p, plot.x, plot.w)).map((p) => pathData([[p, plot.y], [p, plot.y + plot.h]])).join('');
  const h = (vals: readonly number[]): string => vals.map(y.map).filter((p) => inside(p, plot.y, plot.h)).map((p) => pathData([[plot.x, p], [plot.x + plot.w, p]])).join('');
  const minor = v(x.minor) + h(y.minor);
  const major = v(x.ticks) + h(y.ticks);
  return (minor ? el('path', { d: minor, stroke: THEME.grid, 'stroke-width': 0.5, fill: 'none' }) : '') + (major ? el('path', { d: major, stroke: THEME.grid, 'stroke-width': 0.8, fill: 'none' }) : '');
}

/** The labels of one panel. `imageWidth` keeps the first and last x tick label inside the image. */
export interface FrameText {
  readonly xLabel?: string;
  readonly yLabel?: string;
  readonly title?: string;
  /** Left edge of the panel's cell, where the y label goes. */
  readonly left: number;
  readonly imageWidth: number;
}

/** Frame, outward ticks, tick labels, axis labels and title (drawn over the data). */
export function frameSvg(plot: Rect, x: Axis, y: Axis, t: FrameText, fs: FontSizes): string {
  const out: string[] = [];
  const bottom = plot.y + plot.h;
  const ticks: string[] = [];
  x.ticks.forEach((v, i) => {
    const p = x.map(v);
    if (p < plot.x - 0.5 || p > plot.x + plot.w + 0.5) return;
    ticks.push(pathData([[p, bottom], [p, bottom + TICK]]));
    // Centred under its tick, but never past the image edge.
    const half = textWidth(x.labels[i], fs.tick) / 2;
    const cx = Math.min(Math.max(p, half + 1), t.imageWidth - half - 1);
    out.push(text(cx, bottom + TICK + GAP, x.labels[i], { size: fs.tick, anchor: 'middle', valign: 'top' }));
  });
  y.ticks.forEach((v, i) => {
    const p = y.map(v);
    if (p < plot.y - 0.5 || p > bottom + 0.5) return;
    ticks.push(pathData([[plot.x - TICK, p], [plot.x, p]]));
    out.push(text(plot.x - TICK - GAP, p, y.labels[i], { size: fs.tick, anchor: 'end', valign: 'middle' }));
  });
  out.unshift(el('path', { d: ticks.join(''), stroke: THEME.frame, 'stroke-width': 0.8, fill: 'none' }));
  out.push(el('rect', { x: plot.x, y: plot.y, width: plot.w, height: plot.h, fill: 'none', stroke: THEME.frame, 'stroke-width': 0.8 }));
  if (t.xLabel) out.push(text(plot.x + plot.w / 2, bottom + TICK + GAP + 1.2 * fs.tick + 4, t.xLabel, { size: fs.label, anchor: 'middle', valign: 'top' }));
  if (t.yLabel) out.push(text(t.left + 8 + 0.95 * fs.label, plot.y + plot.h / 2, t.yLabel, { size: fs.label, anchor: 'middle', rotate: -90 }));
  if (t.title) out.push(text(plot.x + plot.w / 2, plot.y - 0.6 * fs.title, t.title, { size: fs.title, anchor: 'middle' }));
  return out.join('');
}
