// Training curves: one or more panels (say loss and accuracy), each holding named series such as
// a noisy per-step train loss and a per-epoch test loss, optionally with error bars.

import type { Axis, FontSizes } from './axes';
import { fitAxis, frameSvg, gridSvg, margins } from './axes';
import { SERIES_PALETTE } from './colors';
import { fitFont } from './font';
import { checkColor, documentId, el, pathData, pixelSize, type Rect, svgDocument, svgToPng, text, THEME } from './svg';
import { legendSvg, type LegendEntry } from './legend';

/** One data point, [x, y]. */
export type XY = readonly [number, number];
type Pt = readonly [number, number];

/** A named curve. Points whose x or y is NaN/±Infinity (or y ≤ 0 on a log axis) are skipped and
 *  break the line, so a gap shows where data is missing. */
export interface LineSeries {
  /** Legend label. Series with the same name get the same colour in every panel. */
  readonly name: string;
  /** Points in drawing order (usually ascending x). */
  readonly points: readonly XY[];
  /**
   * Per-point error (e.g. a standard error), same length as `points`, in y units: drawn as
   * y ± error. Non-finite or missing entries draw no bar. Default: none.
   */
  readonly errors?: readonly number[];
  /** How errors are drawn: vertical bars with caps, or a shaded band. Default 'bars'. */
  readonly errorStyle?: 'bars' | 'band';
  /** Line colour, '#rrggbb' or '#rgb'. Default: next colour of the palette, by name. */
  readonly color?: string;
  /** Line width in px. Default 1.75. */
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
  /** x ticks only at whole numbers (epochs). Default: the chart's `integerX`. */
  readonly integerX?: boolean;
  /** Fixed x range [min, max] in data units. Default: the data's extent plus 4 %. */
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
  /** x ticks only at whole numbers in every panel (an epoch axis). Default false. */
  readonly integerX?: boolean;
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
  /** Tick-label size in px (labels and titles are a little larger). Default 12, or 10 for panels under 360×260 px. */
  readonly fontSize?: number;
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
      [acc, norm] = [0, 0];
      return p;
    }
    acc = acc * weight + (1 - weight) * p[1];
    norm = norm * weight + (1 - weight);
    return [p[0], acc / norm] as const;
  });
}

/** Splits at undrawable points and maps to pixels; runs longer than `maxPts` keep per-column min/max. */
function toRuns(points: readonly XY[], logY: boolean, x: Axis, y: Axis, maxPts: number): Pt[][] {
  const runs: Pt[][] = [[]];
  for (const p of points) {
    if (drawable(p, logY)) runs[runs.length - 1].push([x.map(p[0]), y.map(p[1])]);
    else if (runs[runs.length - 1].length > 0) runs.push([]);
  }
  return runs.filter((r) => r.length > 0).map((r) => (r.length > maxPts ? decimate(r) : r));
}

/** Keeps first/min/max/last per pixel column: visually identical, far fewer vertices. */
function decimate(run: readonly Pt[]): Pt[] {
  const out: Pt[] = [];
  for (let i = 0, j = 0; i < run.length; i = j) {
    let [lo, hi] = [i, i];
    for (j = i; j < run.length && Math.floor(run[j][0]) === Math.floor(run[i][0]); j++) {
      if (run[j][1] < run[lo][1]) lo = j;
      if (run[j][1] > run[hi][1]) hi = j;
    }
    for (const k of [...new Set([i, lo, hi, j - 1])].sort((a, b) => a - b)) out.push(run[k]);
  }
  return out;
}

/** The polyline's vertices plus points every ~4 px along it: where the legend must not go. */
function densify(run: readonly Pt[]): Pt[] {
  const out: Pt[] = run.slice(0, 1);
  for (let k = 1; k < run.length; k++) {
    const [[x0, y0], [x1, y1]] = [run[k - 1], run[k]];
    const n = Math.min(200, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / 4));
    for (let i = 1; i <= n; i++) out.push([x0 + ((x1 - x0) * i) / n, y0 + ((y1 - y0) * i) / n]);
  }
  return out;
}

/** Range of the values, widened when empty or zero-width so a constant series sits mid-axis. */
function span(values: readonly number[], log: boolean, fallback: [number, number]): [number, number] {
  if (values.length === 0) return fallback;
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  if (hi > lo) return [lo, hi];
  if (log) return [lo / 2, hi * 2];
  const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
  return [lo - d, hi + d];
}

/** 4 % headroom, but never past 0 or 1 when the data stays inside them (losses, accuracies). */
function pad([lo, hi]: [number, number], log: boolean): [number, number] {
  if (log) return [lo / Math.pow(hi / lo, 0.04), hi * Math.pow(hi / lo, 0.04)];
  const d = (hi - lo) * 0.04;
  let [a, b] = [lo - d, hi + d];
  if (lo >= 0 && a < 0) a = 0;
  if (hi <= 0 && b > 0) b = 0;
  if (lo >= 0 && hi <= 1 && b > 1) b = 1;
  return [a, b];
}

const valid = (r: readonly [number, number] | undefined, log: boolean): r is readonly [number, number] =>
  !!r && Number.isFinite(r[0]) && Number.isFinite(r[1]) && r[1] > r[0] && (!log || r[0] > 0);

function panelDomains(panel: LinePanel): { x: [number, number]; y: [number, number]; hasData: boolean } {
  const logY = panel.logY ?? false;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of panel.series) {
    s.points.forEach((p, i) => {
      if (!drawable(p, logY)) return;
      const e = s.errors?.[i];
      xs.push(p[0]);
      ys.push(p[1]);
      if (e !== undefined && Number.isFinite(e) && e > 0) ys.push(p[1] + e, ...(logY && p[1] - e <= 0 ? [] : [p[1] - e]));
    });
  }
  let x = span(xs, false, [0, 1]);
  if (xs.length > 0 && Math.max(...xs) > Math.min(...xs)) x = [x[0] - (x[1] - x[0]) * 0.04, x[1] + (x[1] - x[0]) * 0.04];
  const y: [number, number] = ys.length > 0 ? pad(span(ys, logY, [0, 1]), logY) : logY ? [1, 10] : [0, 1];
  const fixed = (r: readonly [number, number]): [number, number] => [r[0], r[1]];
  return { x: valid(panel.xRange, false) ? fixed(panel.xRange) : x, y: valid(panel.yRange, logY) ? fixed(panel.yRange) : y, hasData: xs.length > 0 };
}

/** Error bars (vertical, capped) or a band for one series, in pixels. */
function errorSvg(s: LineSeries, color: string, logY: boolean, x: Axis, y: Axis, width: number): string {
  const errs = s.errors;
  if (!errs) return '';
  const ok = s.points.map((p, i) => drawable(p, logY) && Number.isFinite(errs[i]) && errs[i] > 0);
  const lo = (p: XY, e: number): number => y.map(logY ? Math.max(p[1] - e, p[1] / 1e3) : p[1] - e);
  if (s.errorStyle === 'band') {
    const runs: [Pt[], Pt[]][] = [[[], []]];
    s.points.forEach((p, i) => {
      const cur = runs[runs.length - 1];
      if (!ok[i]) return cur[0].length > 0 && runs.push([[], []]);
      cur[0].push([x.map(p[0]), y.map(p[1] + errs[i])]);
      cur[1].push([x.map(p[0]), lo(p, errs[i])]);
    });
    const d = runs.filter((r) => r[0].length > 1).map(([up, down]) => pathData([...up, ...down.reverse()], true)).join('');
    return d ? el('path', { d, fill: color, 'fill-opacity': 0.2, stroke: 'none' }) : '';
  }
  const cap = 2 + width;
  const d = s.points
    .map((p, i) => {
      if (!ok[i]) return '';
      const [cx, top, bottom] = [x.map(p[0]), y.map(p[1] + errs[i]), lo(p, errs[i])];
      return pathData([[cx, top], [cx, bottom]]) + pathData([[cx - cap, top], [cx + cap, top]]) + pathData([[cx - cap, bottom], [cx + cap, bottom]]);
    })
    .join('');
  return d ? el('path', { d, stroke: color, 'stroke-width': Math.max(1, width * 0.7), fill: 'none' }) : '';
}

function seriesSvg(s: LineSeries, color: string, logY: boolean, x: Axis, y: Axis, plotW: number, occupied: Pt[]): { svg: string; entry: LegendEntry } {
  const width = s.width !== undefined && s.width > 0 ? s.width : 1.75;
  const n = s.points.filter((p) => drawable(p, logY)).length;
  const markers = s.markers ?? n <= 40;
  const dash = s.dashed ? `${3 * width} ${2 * width}` : undefined;
  const line = (runs: Pt[][], w: number, opacity?: number): string =>
    el('path', { d: runs.map((r) => pathData(r)).join(''), fill: 'none', stroke: color, 'stroke-width': w, 'stroke-dasharray': dash, 'stroke-opacity': opacity, 'stroke-linejoin': 'round', 'stroke-linecap': 'round' });
  const runs = toRuns(s.points, logY, x, y, plotW * 4);
  const weight = s.smoothing !== undefined && s.smoothing > 0 && s.smoothing < 1 ? s.smoothing : 0;
  const parts = [errorSvg(s, color, logY, x, y, width)];
  parts.push(weight > 0 ? line(runs, Math.max(0.75, width * 0.6), 0.25) + line(toRuns(smooth(s.points, weight, logY), logY, x, y, plotW * 4), width) : line(runs, width));
  for (const run of runs) {
    occupied.push(...densify(run));
    // A lone point between gaps has no line to show it, so it always gets a marker.
    if (markers || run.length === 1) parts.push(...run.map(([cx, cy]) => el('circle', { cx, cy, r: 1.5 + width, fill: color, stroke: '#ffffff', 'stroke-width': 0.8 })));
  }
  const name = n === 0 && s.name !== '' ? `${s.name} (no data)` : s.name;
  return { svg: parts.join(''), entry: { name, color, width, dash, marker: markers && n > 0 } };
}

function panelSvg(panel: LinePanel, chart: LineChart, cell: Rect, colorOf: (s: LineSeries) => string, fs: FontSizes, grid: boolean, imageWidth: number, id: string): string {
  const logY = panel.logY ?? false;
  const integer = panel.integerX ?? chart.integerX ?? false;
  const xLabel = panel.xLabel ?? chart.xLabel;
  const yLabel = panel.yLabel ?? chart.yLabel;
  const has = { xLabel: !!xLabel, yLabel: !!yLabel, title: !!panel.title };
  const dom = panelDomains(panel);
  const yCount = Math.max(2, Math.round(cell.h / (3 * fs.tick + 8)));
  // Margins depend on the y tick labels, which depend on the plot height: lay out twice.
  let m = margins(['0.00'], has, fs);
  let y = fitAxis({ domain: dom.y, log: logY }, [cell.y + cell.h - m.bottom, cell.y + m.top], yCount, false, fs.tick);
  m = margins(y.labels, has, fs);
  const plot: Rect = { x: cell.x + m.left, y: cell.y + m.top, w: cell.w - m.left - m.right, h: cell.h - m.top - m.bottom };
  y = fitAxis({ domain: dom.y, log: logY }, [plot.y + plot.h, plot.y], yCount, false, fs.tick);
  const x = fitAxis({ domain: dom.x, integer }, [plot.x, plot.x + plot.w], Math.max(2, Math.round(plot.w / (5 * fs.tick))), true, fs.tick);
  const occupied: Pt[] = [];
  const drawn = panel.series.map((s) => seriesSvg(s, colorOf(s), logY, x, y, plot.w, occupied));
  // Data may overshoot a fixed range; otherwise markers at the frame may show whole.
  const [sx, sy] = [panel.xRange ? 0 : 6, panel.yRange ? 0 : 6];
  const clip = el('clipPath', { id }, el('rect', { x: plot.x - sx, y: plot.y - sy, width: plot.w + 2 * sx, height: plot.h + 2 * sy }));
  const out = [grid ? gridSvg(plot, x, y) : '', clip, el('g', { 'clip-path': `url(#${id})` }, ...drawn.map((d) => d.svg))];
  if (!dom.hasData) out.push(text(plot.x + plot.w / 2, plot.y + plot.h / 2, 'no data', { size: fs.label, anchor: 'middle', valign: 'middle', color: THEME.muted }));
  const title = panel.title ? { title: panel.title, titleSize: fitFont(panel.title, cell.w - 8, fs.title) } : {};
  out.push(frameSvg(plot, x, y, { xLabel, yLabel, left: cell.x, imageWidth, title: title.title }, { ...fs, title: title.titleSize ?? fs.title }));
  const entries = drawn.map((d) => d.entry).filter((e, i, all) => e.name !== '' && all.findIndex((o) => o.name === e.name) === i);
  if ((panel.legend ?? true) && entries.length > 0) out.push(legendSvg(plot, entries, occupied, fs.tick));
  return out.join('');
}

/** Renders a chart as a standalone SVG document. */
export function lineChartSvg(chart: LineChart, options: LineChartOptions = {}): string {
  const panels: readonly LinePanel[] = chart.panels.length > 0 ? chart.panels : [{ series: [] }];
  const cols = Math.max(1, Math.min(panels.length, Math.round(options.columns ?? Math.min(panels.length, 3))));
  const rows = Math.ceil(panels.length / cols);
  const titleH = chart.title ? 34 : 0;
  const width = pixelSize(options.width, 560 * cols, 'width');
  const height = pixelSize(options.height, 400 * rows + titleH, 'height');
  const small = width / cols < 360 || (height - titleH) / rows < 260;
  const tick = options.fontSize ?? (small ? 10 : 12);
  const fs: FontSizes = { tick, label: tick + 1, title: tick + 2 };
  const background = checkColor(options.background ?? '#ffffff');
  const colors = new Map<string, string>();
  for (const s of panels.flatMap((p) => p.series)) {
    if (s.color) checkColor(s.color);
    else if (!colors.has(s.name)) colors.set(s.name, SERIES_PALETTE[colors.size % SERIES_PALETTE.length]);
  }
  const colorOf = (s: LineSeries): string => s.color ?? (colors.get(s.name) as string);
  const doc = documentId('c', [chart, options]);
  const body: string[] = [];
  if (chart.title) body.push(text(width / 2, 22, chart.title, { size: fitFont(chart.title, width - 16, tick + 4), anchor: 'middle' }));
  const [cellW, cellH] = [width / cols, (height - titleH) / rows];
  panels.forEach((p, i) => {
    const cell: Rect = { x: Math.round((i % cols) * cellW), y: Math.round(titleH + Math.floor(i / cols) * cellH), w: Math.round(cellW), h: Math.round(cellH) };
    body.push(panelSvg(p, chart, cell, colorOf, fs, options.grid ?? true, width, `${doc}p${i}`));
  });
  return svgDocument(width, height, chart.title, background, body);
}

/** Renders a chart as PNG bytes (`width`×`height` px). */
export function lineChartPng(chart: LineChart, options: LineChartOptions = {}): Buffer {
  return svgToPng(lineChartSvg(chart, options));
}
