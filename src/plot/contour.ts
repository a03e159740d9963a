// 2-D loss landscapes: filled contour bands with labelled iso-lines and a colour bar. The SVG gets
// vector bands (marching-squares polygons); the PNG shades every pixel from the same refined grid,
// so iso-lines sit on the band edges in both.

import type { Axis, Rect } from './axes';
import { axesMargins, fitAxis, fitScale, frameShapes, pixelSize, THEME } from './axes';
import { CAP_HEIGHT, DESCENT, textWidth } from './bitmap-font';
import type { ColormapName } from './colors';
import { colormap, luminance } from './colors';
import type { DataPt, Grid } from './marching-squares';
import { isolines, missingCells, normalizeGrid, refineGrid, sampleGrid, simplify, superlevelRings } from './marching-squares';
import { cutRuns, placeLineLabels } from './contour-labels';
import { sceneToPng } from './render-png';
import type { Pt, Rgb, Scene, Shape } from './scene';
import { parseHex, toHex } from './scene';
import { sceneToSvg } from './svg';
import { formatLogTicks, formatTicks, niceDomain, niceLogDomain, niceTicks } from './ticks';

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
  /** Figure title. Default: none. */
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
  /** Image width in px. Default 720. */
  readonly width?: number;
  /** Image height in px. Default 560. */
  readonly height?: number;
  /** About how many bands (a number), or the exact level values (data units, at least two;
   *  values beyond the ends take the end colours). Default 10. */
  readonly levels?: number | readonly number[];
  /**
   * Log-spaced levels and colours. 'auto' turns it on when every finite value is > 0 and they span
   * at least two decades, as landscapes that blow up at the edges do. Values ≤ 0 then count as
   * missing. Default 'auto'.
   */
  readonly logZ?: boolean | 'auto';
  /** Colormap, low values first. Default 'viridis'. */
  readonly colormap?: ColormapName;
  /** Flat-coloured bands (true) or a continuous colour ramp (false). Default true. */
  readonly banded?: boolean;
  /** Draw iso-lines at the interior levels. Default true. */
  readonly isolines?: boolean;
  /** Write the level value on iso-lines. Default true. */
  readonly labels?: boolean;
  /** Integer text scale; 1 means 5×7-px glyphs. Default 2, or 1 below 400×300 px. */
  readonly fontScale?: number;
  /** Page background, '#rrggbb'. Default '#ffffff'. */
  readonly background?: string;
}

const MISSING = '#d4d4d4';

interface Levels {
  /** Level values in the transformed space (log10 z for log plots), ascending. */
  readonly t: number[];
  readonly labels: string[];
  readonly log: boolean;
}

function chooseLevels(values: readonly number[], option: ContourOptions['levels'], log: boolean): Levels {
  const tf = (v: number): number => (log ? Math.log10(v) : v);
  if (Array.isArray(option)) {
    const given = [...(option as readonly number[])].filter((v) => Number.isFinite(v) && (!log || v > 0)).sort((a, b) => a - b);
    const uniq = given.filter((v, k) => k === 0 || v !== given[k - 1]);
    if (uniq.length >= 2) return { t: uniq.map(tf), labels: log ? formatLogTicks(uniq) : formatTicks(uniq), log };
  }
  const count = typeof option === 'number' && option >= 2 ? Math.round(option) : 10;
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (!(lo < hi)) [lo, hi] = log ? [lo / 2, hi * 2] : [lo - (lo === 0 ? 1 : Math.abs(lo) * 0.1), hi + (hi === 0 ? 1 : Math.abs(hi) * 0.1)];
  if (log) {
    const all = logLevels(lo, hi, count);
    return { t: all.map(tf), labels: formatLogTicks(all), log };
  }
  const [d0, d1] = niceDomain(lo, hi, count);
  const ticks = niceTicks(d0, d1, count);
  return { t: ticks, labels: formatTicks(ticks), log };
}

/** Log-spaced levels from the 1-2-5 family whose count comes closest to `count` bands. */
function logLevels(lo: number, hi: number, count: number): number[] {
  const [d0, d1] = niceLogDomain(lo, hi);
  const k0 = Math.floor(Math.log10(d0));
  const k1 = Math.ceil(Math.log10(d1));
  const families = [[1], [1, 3], [1, 2, 5], [1, 2, 3, 5], [1, 1.5, 2, 3, 5, 7], [1, 2, 3, 4, 5, 6, 7, 8, 9]];
  let best: number[] = [d0, d1];
  for (let every = Math.max(1, Math.floor((k1 - k0) / count)); every >= 1; every--) {
    for (const fam of every > 1 ? [[1]] : families) {
      const vals = [d0, d1];
      for (let k = k0; k <= k1; k++) {
        if ((k - k0) % every !== 0) continue;
        for (const m of fam) {
          const v = Number((m * 10 ** k).toPrecision(12));
          if (v > d0 * (1 + 1e-9) && v < d1 * (1 - 1e-9)) vals.push(v);
        }
      }
      if (Math.abs(vals.length - 1 - count) < Math.abs(best.length - 1 - count)) best = vals;
    }
  }
  return best.sort((a, b) => a - b);
}

/** Lays out a contour plot as a Scene. Throws RangeError for a malformed grid. */
export function contourScene(plot: ContourPlot, options: ContourOptions = {}): Scene {
  const width = pixelSize(options.width, 720, 'width');
  const height = pixelSize(options.height, 560, 'height');
  const scale = Math.max(1, Math.round(options.fontScale ?? (width < 400 || height < 300 ? 1 : 2)));
  const background = options.background ?? '#ffffff';
  parseHex(background);
  const cmap = options.colormap ?? 'viridis';
  const grid = normalizeGrid(plot);
  const finite = grid.z.flat().filter(Number.isFinite);
  const positive = finite.filter((v) => v > 0);
  const log =
    options.logZ === 'auto' || options.logZ === undefined
      ? finite.length > 0 && positive.length === finite.length && Math.max(...finite) / Math.min(...finite) >= 100
      : options.logZ;
  const usable = log ? positive : finite;
  const tGrid: Grid = { x: grid.x, y: grid.y, z: grid.z.map((r) => r.map((v) => (log ? (v > 0 ? Math.log10(v) : NaN) : v))) };
  const levels = usable.length > 0 ? chooseLevels(usable, options.levels, log) : null;
  // Refine to ~160 cells a side: smooth curves, bounded SVG size.
  const fine = refineGrid(tGrid, Math.min(8, Math.floor(160 / Math.max(grid.x.length - 1, grid.y.length - 1))));

  const lineH = (CAP_HEIGHT + DESCENT) * scale;
  const titleH = plot.title ? lineH + scale * 3 + 14 : 0;
  const barLabels = levels ? levels.labels : [];
  const barW = 14 + 16 + 9 + Math.max(0, ...barLabels.map((l) => textWidth(l, scale))) + (plot.zLabel ? 8 + lineH : 0);
  const cell: Rect = { x: 0, y: titleH, w: width - barW, h: height - titleH };
  const has = { xLabel: !!plot.xLabel, yLabel: !!plot.yLabel, title: false };
  const xd: [number, number] = [grid.x[0], grid.x[grid.x.length - 1]];
  const yd: [number, number] = [grid.y[0], grid.y[grid.y.length - 1]];
  const yCount = Math.max(2, Math.round(cell.h / (24 * scale + 10)));
  let m = axesMargins(['0.00'], has, scale);
  let yAxis = fitAxis(yd, false, cell.y + cell.h - m.bottom, cell.y + m.top, yCount, false, scale);
  m = axesMargins(yAxis.labels, has, scale);
  const area: Rect = { x: m.left, y: cell.y + m.top, w: cell.w - m.left - m.right, h: cell.h - m.top - m.bottom };
  yAxis = fitAxis(yd, false, area.y + area.h, area.y, yCount, false, scale);
  const xAxis = fitAxis(xd, false, area.x, area.x + area.w, Math.max(2, Math.round(area.w / (40 * scale + 20))), true, scale);
  const toPx = (p: DataPt): Pt => [xAxis.map(p[0]), yAxis.map(p[1])];

  const shapes: Shape[] = [];
  if (plot.title) {
    const ts = fitScale(plot.title, width - 20, scale + 1);
    shapes.push({ kind: 'text', x: width / 2, y: 10 + CAP_HEIGHT * ts, text: plot.title, scale: ts, color: THEME.text, anchor: 'middle', bold: true });
  }
  shapes.push({ kind: 'rect', ...area, fill: MISSING });
  if (levels) {
    const nb = levels.t.length - 1;
    const t0 = levels.t[0];
    const tN = levels.t[nb];
    const bandColor = (k: number): Rgb => colormap(cmap, nb === 1 ? 0.5 : k / (nb - 1));
    const colorAt = (t: number): Rgb => {
      if (options.banded === false) return colormap(cmap, (t - t0) / (tN - t0));
      let k = 0;
      while (k < nb - 1 && t >= levels.t[k + 1]) k++;
      return bandColor(k);
    };
    // SVG bands: paint each superlevel set {z ≥ threshold} over the previous one. Continuous
    // ramps get 48 thin steps, indistinguishable from a smooth gradient at chart sizes.
    const steps = options.banded === false ? 48 : nb;
    const threshold = (k: number): number => (options.banded === false ? t0 + ((tN - t0) * k) / steps : levels.t[k]);
    const layerColor = (k: number): Rgb => (options.banded === false ? colormap(cmap, (k + 0.5) / steps) : bandColor(k));
    const svg: Shape[] = [{ kind: 'rect', ...area, fill: toHex(layerColor(0)) }];
    for (let k = 1; k < steps; k++) {
      const rings = superlevelRings(fine, threshold(k)).map((r) => simplify(r.map(toPx), 0.15));
      svg.push({ kind: 'polygon', rings, fill: toHex(layerColor(k)), fillRule: 'evenodd' });
    }
    svg.push({ kind: 'polygon', rings: missingCells(fine).map((r) => r.map(toPx)), fill: MISSING });
    const invX = (px: number): number => xd[0] + ((px - area.x) / area.w) * (xd[1] - xd[0]);
    const invY = (py: number): number => yd[0] + ((area.y + area.h - py) / area.h) * (yd[1] - yd[0]);
    shapes.push({
      kind: 'field', ...area, svg,
      shade: (px, py) => {
        const t = sampleGrid(fine, invX(px), invY(py));
        return Number.isFinite(t) ? colorAt(t) : null;
      },
    });
    const taken: Rect[] = (plot.marks ?? []).map((mk) => {
      const [cx, cy] = toPx([mk.x, mk.y]);
      const h = (CAP_HEIGHT + 4) * scale;
      return { x: cx - h / 2, y: cy - h / 2, w: h + (mk.label ? textWidth(mk.label, scale) + 8 : 0), h };
    });
    if (options.isolines ?? true) {
      const lines: { level: number; runs: Pt[][] }[] = [];
      for (let k = 1; k < nb; k++) lines.push({ level: k, runs: isolines(fine, levels.t[k]).map((r) => simplify(r.map(toPx), 0.15)) });
      const placed =
        options.labels ?? true
          ? placeLineLabels(
              lines.map((l) => {
                // A label straddles the line between bands level-1 and level: pick the text colour
                // that reads on both.
                const lum = options.banded === false ? luminance(colorAt(levels.t[l.level])) : (luminance(bandColor(l.level - 1)) + luminance(bandColor(l.level))) / 2;
                return { runs: l.runs, text: levels.labels[l.level], color: lum > 0.45 ? '#111111' : '#ffffff' };
              }),
              area,
              taken,
              scale,
            )
          : { shapes: [], gaps: [] };
      const labels = placed.shapes;
      const gaps = placed.gaps;
      const runs = cutRuns(lines.flatMap((l) => l.runs), gaps);
      shapes.push({ kind: 'clip', ...area, children: [{ kind: 'line', runs, color: '#111111', width: 1, opacity: 0.55 }] }, ...labels);
    }
    shapes.push(...colorBar(area, levels, nb, bandColor, colorAt, options.banded !== false, scale, plot.zLabel));
  } else {
    const baseline = Math.round(area.y + area.h / 2 + (CAP_HEIGHT * scale) / 2);
    shapes.push({ kind: 'text', x: area.x + area.w / 2, y: baseline, text: 'no data', scale, color: THEME.mutedText, anchor: 'middle' });
  }
  const marks: Shape[] = [];
  for (const mk of plot.marks ?? []) {
    if (!Number.isFinite(mk.x) || !Number.isFinite(mk.y)) continue;
    const [cx, cy] = toPx([mk.x, mk.y]);
    marks.push({ kind: 'circle', cx, cy, r: 2 + 1.5 * scale, fill: '#ffffff', stroke: '#111111' });
    if (mk.label) {
      const baseline = Math.round(cy + (CAP_HEIGHT * scale) / 2);
      marks.push({ kind: 'text', x: cx + 5 + 2 * scale, y: baseline, text: mk.label, scale, color: '#111111', anchor: 'start', halo: '#ffffff' });
    }
  }
  shapes.push({ kind: 'clip', ...area, children: marks });
  shapes.push(...frameShapes(area, xAxis, yAxis, { xLabel: plot.xLabel, yLabel: plot.yLabel, left: 0 }, scale));
  return { width, height, background, shapes };
}

function colorBar(
  area: Rect,
  levels: Levels,
  nb: number,
  bandColor: (k: number) => Rgb,
  colorAt: (t: number) => Rgb,
  banded: boolean,
  scale: number,
  zLabel: string | undefined,
): Shape[] {
  const bar: Rect = { x: area.x + area.w + 14, y: area.y, w: 16, h: area.h };
  const t0 = levels.t[0];
  const tN = levels.t[nb];
  const map = (t: number): number => bar.y + bar.h - ((t - t0) / (tN - t0)) * bar.h;
  const out: Shape[] = [];
  if (banded) {
    for (let k = 0; k < nb; k++) {
      const ya = map(levels.t[k + 1]);
      out.push({ kind: 'rect', x: bar.x, y: ya, w: bar.w, h: map(levels.t[k]) - ya, fill: toHex(bandColor(k)) });
    }
  } else {
    const steps = 64;
    for (let s = 0; s < steps; s++) {
      const ya = bar.y + (bar.h * s) / steps;
      out.push({ kind: 'rect', x: bar.x, y: ya, w: bar.w, h: bar.h / steps + 0.5, fill: toHex(colorAt(tN - ((s + 0.5) / steps) * (tN - t0))) });
    }
  }
  out.push({ kind: 'rect', x: bar.x - 0.5, y: bar.y - 0.5, w: bar.w + 1, h: bar.h + 1, stroke: THEME.frame });
  // Label the levels themselves when they fit; otherwise fall back to nice ticks on the bar.
  let ticks: { t: number; label: string }[] = levels.t.map((t, k) => ({ t, label: levels.labels[k] }));
  const minGap = Math.min(...levels.t.slice(1).map((t, k) => map(levels.t[k]) - map(t)));
  if (minGap < (CAP_HEIGHT + 3) * scale) {
    const domain: [number, number] = levels.log ? [10 ** t0, 10 ** tN] : [t0, tN];
    const axis: Axis = fitAxis(domain, levels.log, bar.y + bar.h, bar.y, 8, false, scale);
    ticks = axis.ticks.map((v, k) => ({ t: levels.log ? Math.log10(v) : v, label: axis.labels[k] }));
  }
  const right = bar.x + bar.w;
  const tickRuns: Pt[][] = [];
  for (const { t, label } of ticks) {
    const y = Math.floor(map(t)) + 0.5;
    tickRuns.push([[right, y], [right + 5, y]]);
    out.push({ kind: 'text', x: right + 9, y: Math.round(y + (CAP_HEIGHT * scale) / 2), text: label, scale, color: THEME.text, anchor: 'start' });
  }
  out.push({ kind: 'line', runs: tickRuns, color: THEME.frame, width: 1 });
  if (zLabel) {
    const labelW = Math.max(0, ...ticks.map((tk) => textWidth(tk.label, scale)));
    const bx = right + 9 + labelW + 8 + CAP_HEIGHT * scale;
    out.push({ kind: 'text', x: bx, y: bar.y + bar.h / 2, text: zLabel, scale, color: THEME.text, anchor: 'middle', rotate: -90 });
  }
  return out;
}

/** Renders a contour plot as a standalone SVG document. */
export function contourSvg(plot: ContourPlot, options: ContourOptions = {}): string {
  return sceneToSvg(contourScene(plot, options), plot.title);
}

/** Renders a contour plot as PNG bytes (RGB, `width`×`height` px). */
export function contourPng(plot: ContourPlot, options: ContourOptions = {}): Buffer {
  return sceneToPng(contourScene(plot, options));
}
