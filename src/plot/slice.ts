// 1-D landscape slices (loss along one direction) drawn with the line chart, plus a helper that
// cuts such a slice out of a 2-D grid.

import type { LineChart, LineChartOptions, LineSeries, XY } from './line-chart';
import { lineChartPng, lineChartSvg } from './line-chart';
import type { Grid } from './grid';
import { normalizeGrid, sampleGrid } from './grid';

/** A 1-D slice plot: one or more curves over a shared coordinate. */
export interface SlicePlot {
  /** Figure title. Default: none. */
  readonly title?: string;
  /** Label of the slice coordinate, e.g. 'direction 1 (d₁)'. Default: none. */
  readonly xLabel?: string;
  /** Label of the value, e.g. 'loss'. Default: none. */
  readonly yLabel?: string;
  /** Curves (e.g. train and test loss along the same direction). */
  readonly series: readonly LineSeries[];
  /** Logarithmic value axis. Default false. */
  readonly logY?: boolean;
}

/** The slice as a one-panel line chart (markers off: slices are dense, smooth curves). */
export function sliceChart(slice: SlicePlot): LineChart {
  return {
    title: slice.title,
    xLabel: slice.xLabel,
    yLabel: slice.yLabel,
    panels: [{ series: slice.series.map((s) => ({ markers: false, ...s })), logY: slice.logY }],
  };
}

/** Renders a slice plot as SVG. */
export function sliceSvg(slice: SlicePlot, options: LineChartOptions = {}): string {
  return lineChartSvg(sliceChart(slice), { width: 640, height: 420, ...options });
}

/** Renders a slice plot as PNG bytes. */
export function slicePng(slice: SlicePlot, options: LineChartOptions = {}): Buffer {
  return lineChartPng(sliceChart(slice), { width: 640, height: 420, ...options });
}

/**
 * Cuts a straight slice out of a grid (`z[i][j]` at (`x[i]`, `y[j]`)): along 'x' returns the
 * values at y = `at` for every grid x; along 'y' those at x = `at` for every grid y. Values between
 * grid lines are interpolated; `at` outside the grid gives NaN values (drawn as gaps).
 */
export function gridSlice(grid: Grid, along: 'x' | 'y', at: number): XY[] {
  const g = normalizeGrid(grid);
  return along === 'x' ? g.x.map((x) => [x, sampleGrid(g, x, at)] as const) : g.y.map((y) => [y, sampleGrid(g, at, y)] as const);
}
