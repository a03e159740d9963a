// 2-D loss landscapes: filled contour bands (d3-contour) with thin iso-lines and a colour bar, one
// landscape per figure or several side by side on one colour scale (the paper's Fig. 4).

import { contours } from 'd3-contour';
import { scaleLinear, scaleLog } from 'd3-scale';
import type { FontSizes } from './axes';
import { fitAxis, frameSvg, margins } from './axes';
import type { ColormapName } from './colors';
import { colormap } from './colors';
import { fitFont, textWidth } from './font';
import type { Grid } from './grid';
import { normalizeGrid, refineGrid } from './grid';
import { checkColor, documentId, el, esc, pathData, pixelSize, type Rect, svgDocument, svgToPng, text, THEME } from './svg';

/** A labelled point drawn on the landscape, e.g. the trained weights at the origin. */
export interface ContourMark {
  /** x in data units. */
  readonly x: number;
  /** y in data units. */
  readonly y: number;
  /** Text next to the dot. Default: none. */
  readonly label?: string;
}

/** A landscape to draw: `z[i][j]` is the value at (`x[i]`, `y[j]`). */
export interface ContourPlot extends Grid {
  /** Figure title (in a side-by-side figure: the panel's title). Default: none. */
  readonly title?: string;
  /** x-axis label. Default: none. */
  readonly xLabel?: string;
  /** y-axis label. Default: none. */
  readonly yLabel?: string;
  /** Colour-bar label, e.g. 'loss'. Default: none. */
  readonly zLabel?: string;
  /** Points to mark. Default: none. */
  readonly marks?: readonly ContourMark[];
}

/** Rendering options for contour plots. */
export interface ContourOptions {
  /** Image width in px. Default 720 (side by side: 420 per panel plus the colour bar). */
  readonly width?: number;
  /** Image height in px. Default 560 (side by side: 440). */
  readonly height?: number;
  /** About how many bands (a number), or the exact level values (data units, at least two;
   *  values beyond the ends take the end colours). Default 10. */
  readonly levels?: number | readonly number[];
  /**
   * Fixed value range [min, max] (data units) the levels and colours span, so several figures
   * drawn with the same range share one colour scale; values outside take the end colours.
   * Default: the data's range (side by side: the range over all panels).
   */
  readonly zRange?: readonly [number, number];
  /**
   * Log-spaced levels and colours. 'auto' turns it on when every finite value is > 0 and they span
   * at least two decades, as landscapes that blow up at the edges do. Values ≤ 0 then count as
   * missing. Default 'auto'.
   */
  readonly logZ?: boolean | 'auto';
  /** Colormap, low values first. Default 'viridis'. */
  readonly colormap?: ColormapName;
  /** Draw thin iso-lines at the interior levels. Default true. */
  readonly isolines?: boolean;
  /** Tick-label size in px. Default 12, or 10 below 400×300 px per panel. */
  readonly fontSize?: number;
  /** Page background, '#rrggbb'. Default '#ffffff'. */
  readonly background?: string;
}

/** Options of a side-by-side figure. */
export interface ContourGridOptions extends ContourOptions {
  /** Figure title above the panels. Default: none. */
  readonly title?: string;
  /** Panels per row. Default: all in one row. */
  readonly columns?: number;
}

/** Colour used where the landscape has no value. */
export const MISSING_COLOR = '#d4d4d4';

/** The contour levels of one or more landscapes, ascending, in data units. */
export interface ContourLevels {
  readonly values: readonly number[];
  readonly log: boolean;
}

/**
 * The levels for landscapes drawn on one scale: the given values, or nice round levels spanning
 * `zRange` or else the finite values of all `grids`.
 */
export function contourLevels(grids: readonly Grid[], options: ContourOptions = {}): ContourLevels | null {
  const finite = grids.flatMap((g) => g.z.flat().filter(Number.isFinite));
  const given = options.zRange && Number.isFinite(options.zRange[0]) && Number.isFinite(options.zRange[1]) && options.zRange[1] > options.zRange[0] ? options.zRange : undefined;
  const [lo, hi] = given ?? [Math.min(...finite), Math.max(...finite)];
  const log = options.logZ === 'auto' || options.logZ === undefined ? (given ? lo > 0 : finite.length > 0 && lo > 0) && hi / lo >= 100 : options.logZ;
  if (Array.isArray(options.levels)) {
    const v = [...new Set(options.levels as readonly number[])].filter((x) => Number.isFinite(x) && (!log || x > 0)).sort((a, b) => a - b);
    if (v.length >= 2) return { values: v, log };
  }
  if (!given && (log ? finite.filter((v) => v > 0) : finite).length === 0) return null;
  const count = typeof options.levels === 'number' && options.levels >= 2 ? Math.round(options.levels) : 10;
  const [a, b] = log ? [Math.min(...(given ? [lo] : finite.filter((v) => v > 0))), hi] : lo < hi ? [lo, hi] : [lo - (Math.abs(lo) || 1) * 0.1, hi + (Math.abs(hi) || 1) * 0.1];
  if (log) {
    const s = scaleLog().domain([a, b === a ? a * 10 : b]).nice();
    // Decades, or 1-2-5 steps when there are few decades: d3's ticks are 1..9 × 10^k.
    const all = s.ticks();
    const decades = Math.log10(s.domain()[1] / s.domain()[0]);
    const keep = decades >= count / 2 ? [1] : decades >= count / 3 ? [1, 3] : [1, 2, 5];
    const v = all.filter((t) => keep.includes(Math.round(t / 10 ** Math.floor(Math.log10(t) + 1e-9))));
    return { values: v.length >= 2 ? v : s.domain(), log };
  }
  const s = scaleLinear().domain([a, b]).nice(count);
  return { values: s.ticks(count), log };
}

/**
 * Level labels: '~g' for log levels; otherwise d3's formatter for evenly spaced levels, and for
 * uneven given ones the fewest decimals that write every level exactly.
 */
function levelLabels(l: ContourLevels): string[] {
  const v = l.values;
  if (l.log) return v.map((x) => scaleLog().tickFormat(Infinity, '~g')(x));
  const steps = v.slice(1).map((x, k) => x - v[k]);
  if (steps.every((d) => Math.abs(d - steps[0]) < 1e-9 * Math.abs(steps[0]))) {
    const f = scaleLinear().domain([v[0], v[v.length - 1]]).tickFormat(v.length - 1);
    return v.map((x) => f(x));
  }
  let d = 0;
  while (d < 6 && v.some((x) => Math.abs(x - Number(x.toFixed(d))) > 1e-9 * Math.max(1, Math.abs(x)))) d++;
  return v.map((x) => x.toFixed(d).replace('-', '−'));
}

/** Filled bands and iso-lines of one landscape inside `area` (a clipped group). */
function bandsSvg(grid: Grid, area: Rect, lv: ContourLevels, cmap: ColormapName, isolines: boolean, id: string, xmap: (v: number) => number, ymap: (v: number) => number): string {
  const tf = (v: number): number => (lv.log ? (v > 0 ? Math.log10(v) : NaN) : v);
  const t = lv.values.map(tf);
  const nb = t.length - 1;
  // Refine to ~120 samples a side: bilinear cells give the smooth curves of the PNG heat maps.
  const fine = refineGrid(grid, Math.min(8, Math.floor(120 / Math.max(grid.x.length - 1, grid.y.length - 1))));
  const [nx, ny] = [fine.x.length, fine.y.length];
  const values = new Array<number>(nx * ny);
  // d3-contour wants row-major values[i + j·nx] (i along x); clamp into the level range so the
  // ends take the end colours, and leave missing values NaN (never inside any band: grey shows).
  for (let i = 0; i < nx; i++) for (let j = 0; j < ny; j++) {
    const v = tf(fine.z[i][j]);
    values[i + j * nx] = Number.isFinite(v) ? Math.min(t[nb], Math.max(t[0], v)) : NaN;
  }
  // d3-contour puts sample k at grid coordinate k + 0.5: map back to data, then to pixels.
  const at = (a: readonly number[], u: number): number => {
    const k = Math.min(a.length - 1, Math.max(0, u - 0.5));
    const lo = Math.min(a.length - 2, Math.floor(k));
    return a[lo] + (a[lo + 1] - a[lo]) * (k - lo);
  };
  const polys = contours().size([nx, ny]).thresholds(t.slice(0, nb))(values);
  const ring = (r: number[][]): string => pathData(r.map(([u, w]) => [xmap(at(fine.x, u)), ymap(at(fine.y, w))] as const), true);
  const paths = polys.map((mp) => mp.coordinates.map((poly) => poly.map(ring).join('')).join(''));
  const color = (k: number): string => colormap(cmap, nb === 1 ? 0.5 : k / (nb - 1));
  const out = [el('rect', { x: area.x, y: area.y, width: area.w, height: area.h, fill: MISSING_COLOR })];
  paths.forEach((d, k) => d && out.push(el('path', { d, fill: color(k), 'fill-rule': 'evenodd', stroke: color(k), 'stroke-width': 0.4 })));
  // The stroke of the same colour hides hairline seams between abutting bands when antialiased.
  if (isolines) out.push(el('path', { d: paths.slice(1).join(''), fill: 'none', stroke: '#000000', 'stroke-opacity': 0.45, 'stroke-width': 0.6 }));
  return el('clipPath', { id }, el('rect', { x: area.x, y: area.y, width: area.w, height: area.h })) + el('g', { 'clip-path': `url(#${id})` }, ...out);
}

/** A vertical colour bar for the levels, labelled at the levels that fit. */
function colorBarSvg(bar: Rect, lv: ContourLevels, cmap: ColormapName, zLabel: string | undefined, fs: FontSizes): string {
  const nb = lv.values.length - 1;
  const labels = levelLabels(lv);
  const step = Math.max(1, Math.ceil((1.6 * fs.tick) / (bar.h / nb)));
  const y = (k: number): number => bar.y + bar.h - (bar.h * k) / nb;
  const out: string[] = [];
  for (let k = 0; k < nb; k++) out.push(el('rect', { x: bar.x, y: y(k + 1), width: bar.w, height: y(k) - y(k + 1) + 0.3, fill: colormap(cmap, nb === 1 ? 0.5 : k / (nb - 1)) }));
  out.push(el('rect', { x: bar.x, y: bar.y, width: bar.w, height: bar.h, fill: 'none', stroke: THEME.frame, 'stroke-width': 0.8 }));
  const ticks: string[] = [];
  for (let k = 0; k <= nb; k += step) {
    ticks.push(pathData([[bar.x + bar.w, y(k)], [bar.x + bar.w + 4, y(k)]]));
    out.push(text(bar.x + bar.w + 7, y(k), labels[k], { size: fs.tick, anchor: 'start', valign: 'middle' }));
  }
  out.push(el('path', { d: ticks.join(''), stroke: THEME.frame, 'stroke-width': 0.8 }));
  const labelW = Math.max(...labels.map((l) => textWidth(l, fs.tick)));
  if (zLabel) out.push(text(bar.x + bar.w + 7 + labelW + 6 + fs.label, bar.y + bar.h / 2, zLabel, { size: fs.label, anchor: 'middle', rotate: -90 }));
  return out.join('');
}

/** Width of the colour bar with its labels. */
function colorBarWidth(lv: ContourLevels | null, zLabel: string | undefined, fs: FontSizes): number {
  const labelW = lv ? Math.max(...levelLabels(lv).map((l) => textWidth(l, fs.tick))) : 0;
  return 14 + 16 + 7 + labelW + (zLabel ? 8 + 1.3 * fs.label : 0) + 6;
}

/** One landscape panel in `cell`: bands, marks and axes. */
function panelSvg(plot: ContourPlot, cell: Rect, lv: ContourLevels | null, o: ContourOptions, fs: FontSizes, imageWidth: number, id: string): { svg: string; area: Rect } {
  const g = normalizeGrid(plot);
  const has = { xLabel: !!plot.xLabel, yLabel: !!plot.yLabel, title: !!plot.title };
  const xd = [g.x[0], g.x[g.x.length - 1]] as const;
  const yd = [g.y[0], g.y[g.y.length - 1]] as const;
  const yCount = Math.max(2, Math.round(cell.h / (3 * fs.tick + 8)));
  let m = margins(['-0.00'], has, fs);
  let y = fitAxis({ domain: yd }, [cell.y + cell.h - m.bottom, cell.y + m.top], yCount, false, fs.tick);
  m = margins(y.labels, has, fs);
  const area: Rect = { x: cell.x + m.left, y: cell.y + m.top, w: cell.w - m.left - m.right, h: cell.h - m.top - m.bottom };
  y = fitAxis({ domain: yd }, [area.y + area.h, area.y], yCount, false, fs.tick);
  const x = fitAxis({ domain: xd }, [area.x, area.x + area.w], Math.max(2, Math.round(area.w / (5 * fs.tick))), true, fs.tick);
  const out: string[] = [];
  if (lv) out.push(bandsSvg(g, area, lv, o.colormap ?? 'viridis', o.isolines ?? true, id, x.map, y.map));
  else {
    out.push(el('rect', { x: area.x, y: area.y, width: area.w, height: area.h, fill: MISSING_COLOR }));
    out.push(text(area.x + area.w / 2, area.y + area.h / 2, 'no data', { size: fs.label, anchor: 'middle', valign: 'middle', color: THEME.muted }));
  }
  for (const mk of plot.marks ?? []) {
    if (!Number.isFinite(mk.x) || !Number.isFinite(mk.y)) continue;
    const [cx, cy] = [x.map(mk.x), y.map(mk.y)];
    out.push(el('circle', { cx, cy, r: 4, fill: '#ffffff', stroke: '#111111', 'stroke-width': 1.2 }));
    // A white outline under dark text reads on every band colour.
    const label = (extra: Record<string, string | number>): string => el('text', { x: cx + 7, y: cy + 0.36 * fs.tick, 'font-size': fs.tick, fill: '#111111', ...extra }, esc(mk.label ?? ''));
    if (mk.label) out.push(label({ stroke: '#ffffff', 'stroke-width': 3, 'stroke-linejoin': 'round' }), label({}));
  }
  const title = plot.title ? fitFont(plot.title, cell.w - 8, fs.title) : fs.title;
  out.push(frameSvg(area, x, y, { xLabel: plot.xLabel, yLabel: plot.yLabel, title: plot.title, left: cell.x, imageWidth }, { ...fs, title }));
  return { svg: out.join(''), area };
}

/**
 * Several landscapes side by side on one colour scale (shared levels and one colour bar), e.g.
 * SGD, SAM and CR-SAM around their trained weights. Throws RangeError for a malformed grid.
 */
export function contourGridSvg(plots: readonly ContourPlot[], options: ContourGridOptions = {}): string {
  const n = Math.max(1, plots.length);
  const cols = Math.max(1, Math.min(n, Math.round(options.columns ?? n)));
  const rows = Math.ceil(n / cols);
  const titleH = options.title ? 34 : 0;
  const width = pixelSize(options.width, 420 * cols + 110, 'width');
  const height = pixelSize(options.height, 440 * rows + titleH, 'height');
  const tick = options.fontSize ?? ((width - 110) / cols < 400 || (height - titleH) / rows < 300 ? 10 : 12);
  const fs: FontSizes = { tick, label: tick + 1, title: tick + 2 };
  const background = checkColor(options.background ?? '#ffffff');
  const grids = plots.map(normalizeGrid);
  const lv = contourLevels(grids, options);
  const zLabel = plots.find((p) => p.zLabel)?.zLabel;
  const barW = colorBarWidth(lv, zLabel, fs);
  const [cellW, cellH] = [(width - barW) / cols, (height - titleH) / rows];
  const id = documentId('k', [plots, options]);
  const body: string[] = [];
  if (options.title) body.push(text(width / 2, 22, options.title, { size: fitFont(options.title, width - 16, tick + 4), anchor: 'middle' }));
  const areas = plots.map((p, i) => {
    const cell: Rect = { x: Math.round((i % cols) * cellW), y: Math.round(titleH + Math.floor(i / cols) * cellH), w: Math.round(cellW), h: Math.round(cellH) };
    const panel = panelSvg(p, cell, lv, options, fs, width, `${id}p${i}`);
    body.push(panel.svg);
    return panel.area;
  });
  if (lv && areas.length > 0) {
    const top = Math.min(...areas.map((a) => a.y));
    const bottom = Math.max(...areas.map((a) => a.y + a.h));
    body.push(colorBarSvg({ x: width - barW + 14, y: top, w: 16, h: bottom - top }, lv, options.colormap ?? 'viridis', zLabel, fs));
  }
  return svgDocument(width, height, options.title ?? plots.map((p) => p.title).filter(Boolean).join(', '), background, body);
}

/** Renders a contour plot as a standalone SVG document. Throws RangeError for a malformed grid. */
export function contourSvg(plot: ContourPlot, options: ContourOptions = {}): string {
  return contourGridSvg([plot], { width: 720, height: 560, ...options });
}

/** Renders a contour plot as PNG bytes (`width`×`height` px). */
export function contourPng(plot: ContourPlot, options: ContourOptions = {}): Buffer {
  return svgToPng(contourSvg(plot, options));
}

/** Renders side-by-side landscapes on one colour scale as PNG bytes. */
export function contourGridPng(plots: readonly ContourPlot[], options: ContourGridOptions = {}): Buffer {
  return svgToPng(contourGridSvg(plots, options));
}
