// Colours: a categorical palette for series and perceptually uniform colormaps for heat maps.

import type { Rgb } from './scene';
import { parseHex } from './scene';

/**
 * Series colours (Tableau 10 order): distinct hues of similar weight that stay distinguishable
 * for the common colour-vision deficiencies when paired with the chart's dash/marker cues.
 */
export const SERIES_PALETTE: readonly string[] = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd',
  '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
];

/** Names of the built-in colormaps. */
export type ColormapName = 'viridis' | 'magma' | 'greys';

// Eleven evenly spaced samples of each map; linear interpolation between them is visually
// indistinguishable from the full 256-entry tables.
const COLORMAPS: Readonly<Record<ColormapName, readonly string[]>> = {
  viridis: ['#440154', '#482475', '#414487', '#355f8d', '#2a788e', '#21918c', '#22a884', '#44bf70', '#7ad151', '#bddf26', '#fde725'],
  magma: ['#000004', '#140e36', '#3b0f70', '#641a80', '#8c2981', '#b73779', '#de4968', '#f7705c', '#fe9f6d', '#fecf92', '#fcfdbf'],
  greys: ['#111111', '#262626', '#3c3c3c', '#525252', '#686868', '#7f7f7f', '#969696', '#adadad', '#c4c4c4', '#dbdbdb', '#f2f2f2'],
};

const parsed = new Map<ColormapName, Rgb[]>();

/** Colour of `t` in [0, 1] (clamped) on the named colormap. */
export function colormap(name: ColormapName, t: number): Rgb {
  let stops = parsed.get(name);
  if (!stops) {
    stops = COLORMAPS[name].map(parseHex);
    parsed.set(name, stops);
  }
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u));
  const f = u - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** Relative luminance (0 dark .. 1 light), to pick readable text over a colour. */
export function luminance(c: Rgb): number {
  return (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]) / 255;
}
