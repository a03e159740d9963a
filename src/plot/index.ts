// Public surface of the plotting module: training curves and loss landscapes as SVG text or PNG
// bytes (the SVG rendered by resvg with the bundled font).
export type { LineChart, LineChartOptions, LinePanel, LineSeries, XY } from './line-chart';
export { lineChartPng, lineChartSvg, toSeries } from './line-chart';
export type { ContourGridOptions, ContourLevels, ContourMark, ContourOptions, ContourPlot } from './contour';
export { contourGridPng, contourGridSvg, contourLevels, contourPng, contourSvg } from './contour';
export type { SlicePlot } from './slice';
export { gridSlice, sliceChart, slicePng, sliceSvg } from './slice';
export type { Grid } from './grid';
export type { ColormapName } from './colors';
export { SERIES_PALETTE } from './colors';
