// Public surface of the geometry tools: Hessian-vector products (exact and finite-difference),
// gradient norms, trace estimates with error bars (Hutchinson, Hutch++), Lanczos and power-
// iteration eigenvalues, the SLQ spectral density, C(w), the approximation ratio of one-step
// ascent, loss landscapes, and the training-time tracker.
export { analyzeGeometry, sessionConfig } from './analyze';
export type { AnalyzeGeometryOptions, GeometryPhase, GeometryProgress, GeometryReport } from './analyze';
export { analyzeLandscape } from './analyze-landscape';
export type { AnalyzeLandscapeOptions } from './analyze-landscape';
export { approximationRatio } from './ascent';
export type { AscentOptions, AscentResult } from './ascent';
export { DEFAULT_EIGEN_METHOD, DEFAULT_TRACE_METHOD, measureCurvature } from './curvature';
export type { CurvatureDensityOptions, CurvatureEigenOptions, CurvatureOptions, CurvatureResult, CurvatureTraceOptions, EigenMethod, EigenSummary } from './curvature';
export { densityCsv, spectralDensity } from './density';
export type { DensityOptions, SpectralDensity } from './density';
export { topEigenvalues } from './eigen';
export type { EigenOptions, EigenResult } from './eigen';
export { GeometryError } from './errors';
export { ANALYZE_OPTIONS, EIGEN_MAX_ITER, LANDSCAPE_OPTIONS, LANDSCAPE_RESOLUTION } from './geometry-options';
export type { GeometryLibraryField, GeometryOptionSpec } from './geometry-options';
export { gradientNorms } from './gradient-norm';
export type { GradientNormResult } from './gradient-norm';
export { buildGeometryGraphs, buildGradientGraph, buildHvpGraph, pruneDeadNodes } from './hvp-graph';
export type { GeometryGraphs, GradientGraph, HvpGraph, SecondOrderSpec } from './hvp-graph';
export { lossLandscape, randomDirection } from './landscape';
export type { DirectionOptions, Landscape, LandscapeOptions, ParamView } from './landscape';
export { densityChart, densityPictures } from './density-output';
export { landscapeContour, landscapeCsv, landscapeSlice, writeLandscape } from './landscape-output';
export type { LandscapeFiles, WriteLandscapeOptions } from './landscape-output';
export { DEFAULT_FD_STEP, allBatches, finiteDifferenceHvp } from './oracle';
export type { EstimatorOptions, GeometryOracle } from './oracle';
export { OrtGeometryOracle } from './ort-geometry-oracle';
export type { HvpMode, OrtOracleOptions, PassCounts } from './ort-geometry-oracle';
export { datasetBatches, geometryModelOf, geometryWeights } from './sources';
export type { GeometryModel, ResolvedGeometryModel, SampleOptions, WeightSource } from './sources';
export { hutchPlusPlusTrace } from './hutchpp';
export { lanczos, lanczosEigenvalues } from './lanczos';
export type { LanczosEigenOptions, LanczosEigenResult, LanczosRun, RitzEstimate } from './lanczos';
export { fillGaussian, fillRademacher } from './probes';
export { divideErrorBar, meanWithError } from './stats';
export type { ErrorBar } from './stats';
export { formatGeometryDetails, formatGeometryTable } from './table';
export { hutchinsonTrace } from './trace';
export type { TraceMethod, TraceOptions, TraceResult, TraceStop } from './trace';
