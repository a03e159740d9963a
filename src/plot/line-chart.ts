// Training curves: one or more side-by-side panels (say loss and accuracy), each holding named
// series such as a noisy per-step train loss and a per-epoch test loss. Lays out a Scene once and
// hands it to the SVG writer or the rasterizer.

import type { Axis, Rect } from './axes';
import { axesMargins, fitAxis, fitScale, frameShapes, gridShapes, pixelSize, THEME } from './axes';
import { CAP_HEIGHT, DESCENT, textWidth } from './bitmap-font';
import { SERIES_PALETTE } from './colors';
import { sceneToPng } from './render-png';
import type { Pt, Scene, Shape } from './scene';
import { parseHex } from './scene';
import { sceneToSvg } from './svg';
import { niceDomain, niceLogDomain } from './ticks';

/** One data point, [x, y]. */
export type XY = readonly [number, number];

/** A named curve. Points whose x or y is NaN/±Infinity (or y ≤ 0 on a log axis) are skipped and
 *  break the line, so a gap shows where data is missing. */
export interface LineSeries {
  /** Legend label. Series with the same name get the same colour in every panel. */
  readonly name: string;
  /** Points in drawing order (usually ascending x). */
  readonly points: readonly XY[];
  /** Line colour, '#rrggbb' or '#rgb'. Default: next colour of the palette, by name. */
  readonly color?: string;
  /** Line width in px. Default 2. */
  readonly width?: number;
  /** Dashed instead of solid. Default false. */
  readonly dashed?: boolean;
  /** Draw a dot on every point. Default: true when the series has at most 40 drawable points. */
  readonly markers?: boolean;
  /**
   * Exponential-moving-average weight in [0, 1) (as TensorBoard's smoothing slider). When > 0 the
   * raw curve is drawn faint and the smoothed one on top, which makes per-step noise readable.
   * Default 0 (no smoothing).
   */
  readonly smoothing?: number;
}

/** One set of axes. */
export interface LinePanel {
  /** Title above the panel. Default: none. */
  readonly title?: string;
  /** x-axis label. Default: the chart's `xLabel`. */
  readonly xLabel?: string;
  /** y-axis label. Default: the chart's `yLabel`. */
  readonly yLabel?: string;
  /** Curves, drawn in order (later ones on top). */
  readonly series: readonly LineSeries[];
  /** Logarithmic y axis (base 10). Default false. */
  readonly logY?: boolean;
  /** Fixed x range [min, max] in data units. Default: the data's extent plus 2 %. */
  readonly xRange?: readonly [number, number];
  /** Fixed y range [min, max] in data units. Default: the data's extent rounded out to nice ticks. */
  readonly yRange?: readonly [number, number];
  /** Show the legend. Default true. */
  readonly legend?: boolean;
}

/** A figure of one or more panels. */
export interface LineChart {
  /** Figure title. Default: none. */
  readonly title?: string;
  /** Default x-axis label for panels without their own. */
  readonly xLabel?: string;
  /** Default y-axis label for panels without their own. */
  readonly yLabel?: string;
  /** Panels, laid out left to right, then top to bottom. */
  readonly panels: readonly LinePanel[];
}

/** Rendering options shared by the SVG and PNG outputs. */
export interface LineChartOptions {
  /** Image width in px. Default: 560 per panel column. */
  readonly width?: number;
  /** Image height in px. Default: 400 per panel row, plus room for the title. */
  readonly height?: number;
  /** Panels per row. Default: the number of panels, at most 3. */
  readonly columns?: number;
  /** Integer text scale; 1 means 5×7-px glyphs. Default: 2, or 1 for panels under 360×260 px. */
  readonly fontScale?: number;
  /** Page background, '#rrggbb'. Default '#ffffff'. */
  readonly background?: string;
  /** Draw gridlines at the ticks. Default true. */
  readonly grid?: boolean;
}

/** Builds `LineSeries` from y values (and optional x values; default 0, 1, 2, ...). */
export function toSeries(name: string, ys: readonly number[], xs?: readonly number[]): LineSeries {
  if (xs && xs.length !== ys.length) throw new RangeError(`toSeries(${name}): ${xs.length} x values for ${ys.length} y values`);
  return { name, points: ys.map((y, i) => [xs ? xs[i] : i, y] as const) };
}

const drawable = (p: XY, logY: boolean): boolean => Number.isFinite(p[0]) && Number.isFinite(p[1]) && (!logY || p[1] > 0);

/** TensorBoard-style debiased EMA, restarted after each gap. */
function smooth(points: readonly XY[], weight: number, logY: boolean): XY[] {
  let acc = 0;
  let norm = 0;
  return points.map((p) => {
    if (!drawable(p, logY)) {
      acc = 0;
      norm = 0;
      return p;
    }
    acc = acc * weight + (1 - weight) * p[1];
    norm = norm * weight + (1 - weight);
    return [p[0], acc / norm] as const;
  });
}

/** Splits at undrawable points and maps to pixels; very long runs keep per-column min/max only. */
function toRuns(points: readonly XY[], logY: boolean, x: Axis, y: Axis, maxPts: number): Pt[][] {
  const runs: Pt[][] = [];
  let cur: Pt[] = [];
  for (const p of points) {
    if (drawable(p, logY)) cur.push([x.map(p[0]), y.map(p[1])]);
    else if (cur.length > 0) {
      runs.push(cur);
      cur = [];
    }
  }
  if (cur.length > 0) runs.push(cur);
  return runs.map((r) => (r.length > maxPts ? decimate(r) : r));
}

/** Keeps first/min/max/last per pixel column: visually identical, far fewer vertices. */
function decimate(run: readonly Pt[]): Pt[] {
  const out: Pt[] = [];
  let i = 0;
  while (i < run.length) {
    const col = Math.floor(run[i][0]);
    let lo = i;
    let hi = i;
    let j = i;
    for (; j < run.length && Math.floor(run[j][0]) === col; j++) {
      if (run[j][1] < run[lo][1]) lo = j;
      if (run[j][1] > run[hi][1]) hi = j;
    }
    const keep = [...new Set([i, lo, hi, j - 1])].sort((a, b) => a - b);
    for (const k of keep) out.push(run[k]);
    i = j;
  }
  return out;
}

/** The polyline's vertices plus points every `step` px along it, for occupancy tests. */
function densify(run: readonly Pt[], step: number): Pt[] {
  const out: Pt[] = run.length > 0 ? [run[0]] : [];
  for (let k = 1; k < run.length; k++) {
    const [x0, y0] = run[k - 1];
    const [x1, y1] = run[k];
    const n = Math.min(200, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / step));
    for (let i = 1; i <= n; i++) out.push([x0 + ((x1 - x0) * i) / n, y0 + ((y1 - y0) * i) / n]);
  }
  return out;
}

function extent(values: readonly number[]): [number, number] | null {
  if (values.length === 0) return null;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Widens a zero-width range so a single point or a constant series sits mid-axis. */
function widen([lo, hi]: [number, number], log: boolean): [number, number] {
  if (hi > lo) return [lo, hi];
  if (log) return [lo / 2, hi * 2];
  const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
  return [lo - d, hi + d];
}

/**
 * Adds 4 % headroom so curves do not run along the frame, but never past 0 or 1 when the data
 * stays inside them (losses ≥ 0, accuracies ≤ 1 keep their natural bounds).
 */
function pad([lo, hi]: [number, number], log: boolean): [number, number] {
  if (log) {
    const f = Math.pow(hi / lo, 0.04);
    return [lo / f, hi * f];
  }
  const d = (hi - lo) * 0.04;
  let a = lo - d;
  let b = hi + d;
  if (lo >= 0 && a < 0) a = 0;
  if (hi <= 0 && b > 0) b = 0;
  if (lo >= 0 && hi <= 1 && b > 1) b = 1;
  if (lo >= -1 && hi <= 0 && a < -1) a = -1;
  return [a, b];
}

interface Domains {
  x: [number, number];
  y: [number, number];
  hasData: boolean;
}

function panelDomains(panel: LinePanel, yCount: number): Domains {
  const logY = panel.logY ?? false;
  const pts = panel.series.flatMap((s) => s.points.filter((p) => drawable(p, logY)));
  const ex = extent(pts.map((p) => p[0]));
  const ey = extent(pts.map((p) => p[1]));
  let x: [number, number] = ex ? widen(ex, false) : [0, 1];
  if (ex && ex[1] > ex[0]) x = [x[0] - (x[1] - x[0]) * 0.02, x[1] + (x[1] - x[0]) * 0.02];
  let y: [number, number] = ey ? pad(widen(ey, logY), logY) : logY ? [1, 10] : [0, 1];
  y = logY ? niceLogDomain(y[0], y[1]) : niceDomain(y[0], y[1], yCount);
  const valid = (r: readonly [number, number] | undefined, log: boolean): r is readonly [number, number] =>
    !!r && Number.isFinite(r[0]) && Number.isFinite(r[1]) && r[1] > r[0] && (!log || r[0] > 0);
  if (valid(panel.xRange, false)) x = [panel.xRange[0], panel.xRange[1]];
  if (valid(panel.yRange, logY)) y = [panel.yRange[0], panel.yRange[1]];
  return { x, y, hasData: pts.length > 0 };
}

interface Styled {
  series: LineSeries;
  color: string;
  width: number;
}

function legendShapes(plot: Rect, entries: readonly Styled[], occupied: readonly Pt[], scale: number): Shape[] {
  const rowH = (CAP_HEIGHT + 5) * scale;
  const sample = 12 * scale;
  const pad = 3 * scale;
  const w = pad * 3 + sample + Math.max(...entries.map((e) => textWidth(e.series.name, scale)));
  const h = pad * 2 + rowH * entries.length - 2 * scale;
  const m = 6;
  const [left, centre, right] = [plot.x + m, plot.x + (plot.w - w) / 2, plot.x + plot.w - w - m];
  const [top, bottom] = [plot.y + m, plot.y + plot.h - h - m];
  const corners: Pt[] = [[right, top], [left, top], [centre, top], [right, bottom], [left, bottom], [centre, bottom]];
  // Put the legend where it hides the least data (earlier positions win ties).
  const hidden = corners.map(([cx, cy]) => occupied.filter(([px, py]) => px >= cx - 3 && px <= cx + w + 3 && py >= cy - 3 && py <= cy + h + 3).length);
  const [lx, ly] = corners[hidden.indexOf(Math.min(...hidden))].map(Math.round);
  const out: Shape[] = [{ kind: 'rect', x: lx + 0.5, y: ly + 0.5, w, h, fill: '#ffffff', opacity: 0.88 }];
  out.push({ kind: 'rect', x: lx + 0.5, y: ly + 0.5, w, h, stroke: THEME.legendBorder });
  entries.forEach((e, i) => {
    const mid = ly + pad + rowH * i + (CAP_HEIGHT * scale) / 2 + scale;
    const run: Pt[] = [[lx + pad, mid], [lx + pad + sample, mid]];
    out.push({ kind: 'line', runs: [run], color: e.color, width: e.width, dash: e.series.dashed ? [3 * e.width, 2 * e.width] : undefined });
    if (e.series.markers) out.push({ kind: 'circle', cx: lx + pad + sample / 2, cy: mid, r: 2 + e.width, fill: e.color, stroke: '#ffffff' });
    const baseline = Math.round(mid + (CAP_HEIGHT * scale) / 2);
    out.push({ kind: 'text', x: lx + pad * 2 + sample, y: baseline, text: e.series.name, scale, color: THEME.text, anchor: 'start' });
  });
  return out;
}

function panelShapes(panel: LinePanel, chart: LineChart, cell: Rect, colorOf: (s: LineSeries) => string, scale: number, grid: boolean): Shape[] {
  const logY = panel.logY ?? false;
  const xLabel = panel.xLabel ?? chart.xLabel;
  const yLabel = panel.yLabel ?? chart.yLabel;
  const has = { xLabel: !!xLabel, yLabel: !!yLabel, title: !!panel.title };
  const yCount = Math.max(2, Math.round(cell.h / (24 * scale + 10)));
  const dom = panelDomains(panel, yCount);
  // Margins depend on the y tick labels, which depend on the plot height: lay out twice.
  let m = axesMargins(['0.00'], has, scale);
  let yAxis = fitAxis(dom.y, logY, cell.y + cell.h - m.bottom, cell.y + m.top, yCount, false, scale);
  m = axesMargins(yAxis.labels, has, scale);
  let plot: Rect = { x: cell.x + m.left, y: cell.y + m.top, w: cell.w - m.left - m.right, h: cell.h - m.top - m.bottom };
  yAxis = fitAxis(dom.y, logY, plot.y + plot.h, plot.y, yCount, false, scale);
  const xCount = Math.max(2, Math.round(plot.w / (40 * scale + 20)));
  let xAxis = fitAxis(dom.x, false, plot.x, plot.x + plot.w, xCount, true, scale);
  // The last x tick label is centred on its tick and may stick out past the cell: pull the
  // right edge in just enough.
  const lastTick = xAxis.ticks.length > 0 ? xAxis.ticks.length - 1 : -1;
  if (lastTick >= 0) {
    const overflow = xAxis.map(xAxis.ticks[lastTick]) + textWidth(xAxis.labels[lastTick], scale) / 2 + 4 - (cell.x + cell.w);
    if (overflow > 0) {
      plot = { ...plot, w: plot.w - Math.ceil(overflow) };
      xAxis = fitAxis(dom.x, false, plot.x, plot.x + plot.w, xCount, true, scale);
    }
  }

  const out: Shape[] = [...gridShapes(plot, xAxis, yAxis, grid)];
  const data: Shape[] = [];
  const styled: Styled[] = [];
  const occupied: Pt[] = [];
  for (const s of panel.series) {
    const width = s.width !== undefined && s.width > 0 ? s.width : 2;
    const color = colorOf(s);
    const nDrawable = s.points.filter((p) => drawable(p, logY)).length;
    const markers = s.markers ?? nDrawable <= 40;
    const dash = s.dashed ? [3 * width, 2 * width] : undefined;
    const runs = toRuns(s.points, logY, xAxis, yAxis, plot.w * 4);
    const weight = s.smoothing !== undefined && s.smoothing > 0 && s.smoothing < 1 ? s.smoothing : 0;
    if (weight > 0) {
      data.push({ kind: 'line', runs, color, width: Math.max(1, width * 0.6), opacity: 0.25, dash });
      data.push({ kind: 'line', runs: toRuns(smooth(s.points, weight, logY), logY, xAxis, yAxis, plot.w * 4), color, width, dash });
    } else {
      data.push({ kind: 'line', runs, color, width, dash });
    }
    for (const run of runs) {
      occupied.push(...densify(run, 4));
      // A lone point between gaps has no line to show it, so it always gets a marker.
      if (markers || run.length === 1) {
        for (const [cx, cy] of run) data.push({ kind: 'circle', cx, cy, r: 2 + width, fill: color, stroke: '#ffffff' });
      }
    }
    const name = nDrawable === 0 && s.name !== '' ? `${s.name} (no data)` : s.name;
    styled.push({ series: { ...s, name, markers: markers && nDrawable > 0 }, color, width });
  }
  // Data may overshoot a fixed range; otherwise allow markers at the frame to show whole.
  const slackX = panel.xRange ? 0 : 6;
  const slackY = panel.yRange ? 0 : 6;
  out.push({ kind: 'clip', x: plot.x - slackX, y: plot.y - slackY, w: plot.w + 2 * slackX, h: plot.h + 2 * slackY, children: data });
  if (!dom.hasData) {
    const baseline = Math.round(plot.y + plot.h / 2 + (CAP_HEIGHT * scale) / 2);
    out.push({ kind: 'text', x: plot.x + plot.w / 2, y: baseline, text: 'no data', scale, color: THEME.mutedText, anchor: 'middle' });
  }
  out.push(...frameShapes(plot, xAxis, yAxis, { xLabel, yLabel, title: panel.title, left: cell.x }, scale));
  const named = styled.filter((e, i) => e.series.name !== '' && styled.findIndex((o) => o.series.name === e.series.name) === i);
  if ((panel.legend ?? true) && named.length > 0) out.push(...legendShapes(plot, named, occupied, scale));
  return out;
}

/** Lays out a chart as a Scene (pixels), the common input of the SVG and PNG back ends. */
export function lineChartScene(chart: LineChart, options: LineChartOptions = {}): Scene {
  const panels: readonly LinePanel[] = chart.panels.length > 0 ? chart.panels : [{ series: [] }];
  const cols = Math.max(1, Math.min(panels.length, Math.round(options.columns ?? Math.min(panels.length, 3))));
  const rows = Math.ceil(panels.length / cols);
  const autoScale = (w: number, h: number): number => (w / cols < 360 || h / rows < 260 ? 1 : 2);
  const guessScale = options.fontScale ?? autoScale(options.width ?? 560 * cols, options.height ?? 400 * rows);
  const titleH = chart.title ? (CAP_HEIGHT + DESCENT) * (guessScale + 1) + 14 : 0;
  const width = pixelSize(options.width, 560 * cols, 'width');
  const height = pixelSize(options.height, 400 * rows + titleH, 'height');
  const scale = Math.max(1, Math.round(options.fontScale ?? autoScale(width, height - titleH)));
  const background = options.background ?? '#ffffff';
  parseHex(background);

  const colors = new Map<string, string>();
  for (const p of panels) {
    for (const s of p.series) {
      if (s.color) parseHex(s.color);
      else if (!colors.has(s.name)) colors.set(s.name, SERIES_PALETTE[colors.size % SERIES_PALETTE.length]);
    }
  }
  const colorOf = (s: LineSeries): string => s.color ?? (colors.get(s.name) as string);

  const shapes: Shape[] = [];
  if (chart.title) {
    const ts = fitScale(chart.title, width - 20, scale + 1);
    shapes.push({ kind: 'text', x: width / 2, y: 10 + CAP_HEIGHT * ts, text: chart.title, scale: ts, color: THEME.text, anchor: 'middle', bold: true });
  }
  const cellW = width / cols;
  const cellH = (height - titleH) / rows;
  panels.forEach((p, i) => {
    const cell: Rect = { x: Math.round((i % cols) * cellW), y: Math.round(titleH + Math.floor(i / cols) * cellH), w: Math.round(cellW), h: Math.round(cellH) };
    shapes.push(...panelShapes(p, chart, cell, colorOf, scale, options.grid ?? true));
  });
  return { width, height, background, shapes };
}

/** Renders a chart as a standalone SVG document. */
export function lineChartSvg(chart: LineChart, options: LineChartOptions = {}): string {
  return sceneToSvg(lineChartScene(chart, options), chart.title);
}

/** Renders a chart as PNG bytes (RGB, `width`×`height` px). */
export function lineChartPng(chart: LineChart, options: LineChartOptions = {}): Buffer {
  return sceneToPng(lineChartScene(chart, options));
}
