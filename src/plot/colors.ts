// Colours: a categorical palette for series and perceptually uniform colormaps for landscapes.

import { scaleLinear } from 'd3-scale';

/**
 * Series colours (Tableau 10, matplotlib's default cycle): distinct hues of similar weight that
 * stay distinguishable for the common colour-vision deficiencies with the dash/marker cues.
 */
export const SERIES_PALETTE: readonly string[] = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd',
  '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
];

/** Names of the built-in colormaps. */
export type ColormapName = 'viridis' | 'magma' | 'greys';

// Eleven evenly spaced samples of each map; linear interpolation between them (d3-scale) is
// visually indistinguishable from the full 256-entry tables.
const COLORMAPS: Readonly<Record<ColormapName, readonly string[]>> = {
  viridis: ['#440154', '#482475', '#414487', '#355f8d', '#2a788e', '#21918c', '#22a884', '#44bf70', '#7ad151', '#bddf26', '#fde725'],
  magma: ['#000004', '#140e36', '#3b0f70', '#641a80', '#8c2981', '#b73779', '#de4968', '#f7705c', '#fe9f6d', '#fecf92', '#fcfdbf'],
  greys: ['#111111', '#262626', '#3c3c3c', '#525252', '#686868', '#7f7f7f', '#969696', '#adadad', '#c4c4c4', '#dbdbdb', '#f2f2f2'],
};

/** Colour ('rgb(r, g, b)') of `t` in [0, 1] (clamped) on the named colormap. */
export function colormap(name: ColormapName, t: number): string {
  const stops = COLORMAPS[name];
  return scaleLinear<string>().domain(stops.map((_, k) => k / (stops.length - 1))).range([...stops]).clamp(true)(Number.isFinite(t) ? t : 0);
}
