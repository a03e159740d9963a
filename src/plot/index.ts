// Public surface of the plotting module: training curves and loss landscapes as SVG text or PNG
// bytes, with no native dependencies.
export type { LineChart, LineChartOptions, LinePanel, LineSeries, XY } from './line-chart';
export { lineChartPng, lineChartScene, lineChartSvg, toSeries } from './line-chart';
export type { ContourMark, ContourOptions, ContourPlot } from './contour';
export { contourPng, contourScene, contourSvg } from './contour';
export type { SlicePlot } from './slice';
export { gridSlice, sliceChart, slicePng, sliceSvg } from './slice';
export type { Grid } from './marching-squares';
export type { ColormapName } from './colors';
export { SERIES_PALETTE } from './colors';
export type { Scene, Shape } from './scene';
export { sceneToSvg } from './svg';
export { sceneToPng } from './render-png';
export { formatTicks, formatLogTicks, logTicks, niceDomain, niceStep, niceTicks } from './ticks';
