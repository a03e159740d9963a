// Public surface of the plotting module: SVG and PNG charts with no native dependencies.
export type { LineChart, LineChartOptions, LinePanel, LineSeries, XY } from './line-chart';
export { lineChartPng, lineChartScene, lineChartSvg, toSeries } from './line-chart';
