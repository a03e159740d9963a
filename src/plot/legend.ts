// The legend of a line panel, placed in the corner where it hides the least data.

import { textWidth } from './font';
import { el, pathData, type Rect, text, THEME } from './svg';

/** What the legend shows for one series. */
export interface LegendEntry {
  readonly name: string;
  readonly color: string;
  readonly width: number;
  readonly dash?: string;
  readonly marker: boolean;
}

/** A matplotlib-like legend box (white, translucent, thin grey border) inside `plot`. */
export function legendSvg(plot: Rect, entries: readonly LegendEntry[], occupied: readonly (readonly [number, number])[], size: number): string {
  const rowH = 1.45 * size;
  const sample = 2 * size;
  const pad = 0.5 * size;
  const w = pad * 3 + sample + Math.max(...entries.map((e) => textWidth(e.name, size)));
  const h = pad * 2 + rowH * entries.length;
  const m = 6;
  const [left, centre, right] = [plot.x + m, plot.x + (plot.w - w) / 2, plot.x + plot.w - w - m];
  const [top, bottom] = [plot.y + m, plot.y + plot.h - h - m];
  const corners = [[right, top], [left, top], [centre, top], [right, bottom], [left, bottom], [centre, bottom]] as const;
  // Earlier positions win ties (upper right first, as matplotlib's 'best').
  const hidden = corners.map(([cx, cy]) => occupied.filter(([px, py]) => px >= cx - 3 && px <= cx + w + 3 && py >= cy - 3 && py <= cy + h + 3).length);
  const [lx, ly] = corners[hidden.indexOf(Math.min(...hidden))];
  const out = [el('rect', { x: lx, y: ly, width: w, height: h, rx: 3, fill: '#ffffff', 'fill-opacity': 0.85, stroke: THEME.legendBorder, 'stroke-width': 0.8 })];
  entries.forEach((e, i) => {
    const mid = ly + pad + rowH * (i + 0.5);
    out.push(el('path', { d: pathData([[lx + pad, mid], [lx + pad + sample, mid]]), stroke: e.color, 'stroke-width': e.width, 'stroke-dasharray': e.dash, fill: 'none' }));
    if (e.marker) out.push(el('circle', { cx: lx + pad + sample / 2, cy: mid, r: 1.5 + e.width, fill: e.color, stroke: '#ffffff', 'stroke-width': 0.8 }));
    out.push(text(lx + pad * 2 + sample, mid, e.name, { size, anchor: 'start', valign: 'middle' }));
  });
  return out.join('');
}
