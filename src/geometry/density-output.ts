// The Hessian's eigenvalue density as a picture: density against λ on a log axis, as PyHessian
// shows it (the bulk near zero spans many decades; the few outliers are what flatness is about).
import { LineChart, lineChartPng, lineChartSvg } from '../plot';
import { SpectralDensity } from './density';

/** Decades below the peak that the plot keeps (lower values are Gaussian tails, not spectrum). */
const DECADES = 12;

export function densityChart(d: SpectralDensity, title: string): LineChart {
  const peak = Math.max(...d.density);
  const floor = peak * 10 ** -DECADES;
  const points = d.grid.map((x, i) => [x, d.density[i] >= floor ? d.density[i] : NaN] as const);
  return {
    title,
    panels: [{ xLabel: 'eigenvalue λ', yLabel: 'density (log scale)', logY: true, legend: false, series: [{ name: 'density', points, markers: false }] }],
  };
}

/** SVG and PNG of the density, for `crsam analyze --density`. */
export function densityPictures(d: SpectralDensity, title: string): { svg: string; png: Uint8Array } {
  const chart = densityChart(d, title);
  return { svg: lineChartSvg(chart), png: lineChartPng(chart) };
}
