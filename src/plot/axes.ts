// Shared axes machinery: scales, tick selection that avoids label collisions, margins sized to the
// actual tick labels, and the grid/frame/tick/label shapes. Used by the line chart and the contour
// plot so both look alike.

import { CAP_HEIGHT, DESCENT, textWidth } from './bitmap-font';
import type { Shape } from './scene';
import { formatLogTicks, formatTicks, logTicks, niceStep, niceTicks } from './ticks';

/** Chart chrome colours, in one place so the two chart kinds match. */
export const THEME = {
  text: '#222222',
  mutedText: '#555555',
  frame: '#444444',
  grid: '#e3e3e3',
  minorGrid: '#f1f1f1',
  legendBorder: '#c8c8c8',
} as const;

const TICK_LEN = 5;
const TICK_GAP = 4;
const PAD = 10;

/** A rectangle in scene pixels. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** A positioned axis: value → pixel mapping plus its ticks and their labels. */
export interface Axis {
  readonly log: boolean;
  readonly domain: readonly [number, number];
  readonly ticks: readonly number[];
  readonly labels: readonly string[];
  readonly minor: readonly number[];
  /** Maps a data value to a pixel coordinate along this axis (NaN for log of v ≤ 0). */
  readonly map: (v: number) => number;
}

/** Builds an axis over `domain` drawn from pixel `p0` to `p1` (p1 < p0 for a y axis). */
export function makeAxis(domain: readonly [number, number], log: boolean, p0: number, p1: number, count: number): Axis {
  const [d0, d1] = domain;
  const t = (v: number): number => (log ? Math.log10(v) : v);
  const t0 = t(d0);
  const span = t(d1) - t0 || 1;
  const map = (v: number): number => p0 + ((t(v) - t0) / span) * (p1 - p0);
  if (log) {
    const lt = logTicks(d0, d1, count);
    return { log, domain, ticks: lt.major, labels: formatLogTicks(lt.major), minor: lt.minor, map };
  }
  const ticks = niceTicks(d0, d1, count);
  return { log, domain, ticks, labels: formatTicks(ticks, niceStep(d1 - d0, count)), minor: [], map };
}

/**
 * Picks the largest tick count (up to `maxCount`) whose labels do not collide along an axis of
 * `lengthPx`: horizontal axes compare label widths, vertical ones the text height.
 */
export function fitAxis(
  domain: readonly [number, number],
  log: boolean,
  p0: number,
  p1: number,
  maxCount: number,
  horizontal: boolean,
  scale: number,
): Axis {
  for (let count = Math.max(2, maxCount); count >= 2; count--) {
    const axis = makeAxis(domain, log, p0, p1, count);
    const pos = axis.ticks.map(axis.map);
    let ok = true;
    for (let i = 1; i < pos.length && ok; i++) {
      const room = Math.abs(pos[i] - pos[i - 1]);
      const need = horizontal
        ? (textWidth(axis.labels[i], scale) + textWidth(axis.labels[i - 1], scale)) / 2 + 8 * scale
        : (CAP_HEIGHT + 4) * scale;
      if (room < need) ok = false;
    }
    if (ok) return axis;
  }
  return makeAxis(domain, log, p0, p1, 2);
}

/** Space reserved around a plot rectangle for ticks, tick labels, axis labels and a title. */
export interface Margins {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/** Margins for a plot whose y tick labels are `yLabels`. */
export function axesMargins(yLabels: readonly string[], has: { xLabel: boolean; yLabel: boolean; title: boolean }, scale: number): Margins {
  const yTickW = Math.max(0, ...yLabels.map((l) => textWidth(l, scale)));
  const lineH = (CAP_HEIGHT + DESCENT) * scale;
  return {
    left: Math.ceil(PAD + (has.yLabel ? lineH + 8 : 0) + yTickW + TICK_GAP + TICK_LEN),
    right: Math.ceil(PAD + 3 * scale),
    top: Math.ceil(has.title ? lineH + 12 : PAD + 4),
    bottom: Math.ceil(TICK_LEN + TICK_GAP + CAP_HEIGHT * scale + (has.xLabel ? 10 + lineH : 0) + PAD),
  };
}

/** Pixel-centre coordinate for a crisp 1-px line near `p`. */
export const crisp = (p: number): number => Math.floor(p) + 0.5;

/** Gridlines for the plot rectangle; draw before the data. */
export function gridShapes(plot: Rect, x: Axis, y: Axis, grid: boolean): Shape[] {
  if (!grid) return [];
  const inside = (p: number, lo: number, len: number): boolean => p > lo + 0.5 && p < lo + len - 0.5;
  const vertical = (vals: readonly number[]) =>
    vals.map((v) => crisp(x.map(v))).filter((p) => inside(p, plot.x, plot.w)).map((p) => [[p, plot.y], [p, plot.y + plot.h]] as const);
  const horizontal = (vals: readonly number[]) =>
    vals.map((v) => crisp(y.map(v))).filter((p) => inside(p, plot.y, plot.h)).map((p) => [[plot.x, p], [plot.x + plot.w, p]] as const);
  return [
    { kind: 'line', runs: [...vertical(x.minor), ...horizontal(y.minor)], color: THEME.minorGrid, width: 1 },
    { kind: 'line', runs: [...vertical(x.ticks), ...horizontal(y.ticks)], color: THEME.grid, width: 1 },
  ];
}

/** Axis labels, title and the frame with outward ticks and tick labels; draw after the data. */
export function frameShapes(
  plot: Rect,
  x: Axis,
  y: Axis,
  text: { xLabel?: string; yLabel?: string; title?: string; left: number },
  scale: number,
): Shape[] {
  const out: Shape[] = [];
  const right = plot.x + plot.w;
  const bottom = plot.y + plot.h;
  const ticks: (readonly [number, number])[][] = [];
  x.ticks.forEach((v, i) => {
    const p = crisp(x.map(v));
    if (p < plot.x - 1 || p > right + 1) return;
    ticks.push([[p, bottom], [p, bottom + TICK_LEN]]);
    out.push({ kind: 'text', x: p, y: bottom + TICK_LEN + TICK_GAP + CAP_HEIGHT * scale, text: x.labels[i], scale, color: THEME.text, anchor: 'middle' });
  });
  y.ticks.forEach((v, i) => {
    const p = crisp(y.map(v));
    if (p < plot.y - 1 || p > bottom + 1) return;
    ticks.push([[plot.x - TICK_LEN, p], [plot.x, p]]);
    const baseline = Math.round(p + (CAP_HEIGHT * scale) / 2);
    out.push({ kind: 'text', x: plot.x - TICK_LEN - TICK_GAP, y: baseline, text: y.labels[i], scale, color: THEME.text, anchor: 'end' });
  });
  out.push({ kind: 'line', runs: ticks, color: THEME.frame, width: 1 });
  out.push({ kind: 'rect', x: plot.x - 0.5, y: plot.y - 0.5, w: plot.w + 1, h: plot.h + 1, stroke: THEME.frame, strokeWidth: 1 });
  const lineH = (CAP_HEIGHT + DESCENT) * scale;
  if (text.xLabel) {
    const baseline = bottom + TICK_LEN + TICK_GAP + CAP_HEIGHT * scale + 10 + CAP_HEIGHT * scale;
    out.push({ kind: 'text', x: plot.x + plot.w / 2, y: baseline, text: text.xLabel, scale, color: THEME.text, anchor: 'middle' });
  }
  if (text.yLabel) {
    const bx = text.left + PAD + CAP_HEIGHT * scale;
    out.push({ kind: 'text', x: bx, y: plot.y + plot.h / 2, text: text.yLabel, scale, color: THEME.text, anchor: 'middle', rotate: -90 });
  }
  if (text.title) {
    out.push({ kind: 'text', x: plot.x + plot.w / 2, y: plot.y - lineH + CAP_HEIGHT * scale - 4, text: text.title, scale, color: THEME.text, anchor: 'middle', bold: true });
  }
  return out;
}

/** The largest scale ≤ `preferred` (at least 1) at which `text` fits in `maxWidth` px. */
export function fitScale(text: string, maxWidth: number, preferred: number): number {
  let s = Math.max(1, Math.round(preferred));
  while (s > 1 && textWidth(text, s) > maxWidth) s--;
  return s;
}

/** Validates an image dimension option (px): a positive finite number, rounded. */
export function pixelSize(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 1) throw new RangeError(`plot: ${name} must be a finite number ≥ 1 px, got ${v}`);
  return Math.round(v);
}
