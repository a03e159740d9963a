// The one schema of the analysis options: `crsam analyze`'s and `crsam landscape`'s flags and
// their help (src/cli), and the defaults analyzeGeometry, analyzeLandscape and their parts (the
// trace estimators, Lanczos, power iteration, the density, the ascent, the landscape grid,
// datasetBatches) use when an option is left out: the library reads them from here, so the help
// cannot drift from what runs. test/geometry/geometry-options.test.ts checks both and the JSDoc.
// The data and device flags are the training schema's own (src/cli/common-flags.ts).
import { OptionSchema, OptionSpec } from '../core/option-schema';
import { DEFAULT_EVAL_BATCH_SIZE } from '../data';
import type { AnalyzeGeometryOptions } from './analyze';
import type { AscentOptions } from './ascent';
import type { CurvatureEigenOptions, CurvatureTraceOptions } from './curvature';
import type { DensityOptions } from './density';
import type { LandscapeOptions } from './landscape';
import type { SampleOptions } from './sources';

/** The library field an option sets: `<prefix>.<field>` of the options interface the prefix names. */
export type GeometryLibraryField =
  | `analyze.${keyof AnalyzeGeometryOptions & string}` | `trace.${keyof CurvatureTraceOptions & string}`
  | `eigen.${keyof CurvatureEigenOptions & string}` | `density.${keyof DensityOptions & string}`
  | `ascent.${keyof AscentOptions & string}` | `sample.${keyof SampleOptions & string}` | `landscape.${keyof LandscapeOptions & string}`;

export type GeometryOptionSpec = OptionSpec<GeometryLibraryField>;

/** Most Lanczos steps, or power iterations per eigenvalue, when `maxIter` is left out (it depends on the method). */
export const EIGEN_MAX_ITER = { lanczos: 80, power: 100 } as const;

/** Landscape grid points per axis when `resolution` is left out, by dimensions. */
export const LANDSCAPE_RESOLUTION = { 1: 51, 2: 21 } as const;

// The multi-step ascent's steps: the default, and named in --ar's help.
const AR_STEPS = 20;

// The CLI's subset; the library's own default (SampleOptions.samples) is the whole split.
const SAMPLES = { type: 'int', group: 'data', min: 0, help: 'use this many images of the split (a seeded random subset; 0 = all)', default: 1000 } as const;

export const ANALYZE_OPTIONS = {
  split: { type: 'string', group: 'data', help: 'which split the figures are computed on (the paper\'s Table 3: test)', choices: ['test', 'train'], default: 'test' },
  samples: SAMPLES,
  'batch-size': { type: 'int', group: 'data', min: 1, help: 'images per batch (‖∇L‖ is the mean of per-batch norms, so it depends on this)', default: 128, library: 'sample.batchSize' },
  compare: { type: 'list', group: 'model', arg: 'M1,M2', help: 'more models to put in the same table (same data, same probes)', default: [] },
  trace: { type: 'bool', group: 'analysis', help: 'estimate Tr(H) and C(w) (--no-trace skips them)', default: true, library: 'analyze.trace' },
  'trace-method': { type: 'string', group: 'analysis', help: 'trace estimator: hutch++ (low-rank part exact, the rest by probes) or hutchinson (PyHessian)', choices: ['hutch++', 'hutchinson'], default: 'hutch++', library: 'trace.method' },
  'trace-iters': { type: 'int', group: 'analysis', min: 1, help: 'most Hessian-vector products for the trace', default: 100, library: 'trace.maxIter' },
  'trace-rel-se': { type: 'number', group: 'analysis', min: 0, help: 'stop the trace once its standard error is at most this fraction of |Tr(H)|', default: 0.02, library: 'trace.relTol' },
  'trace-tol': { type: 'number', group: 'analysis', min: 0, help: "instead, PyHessian's rule: stop when the running mean moves less than this, relative (says nothing about the error)", library: 'trace.tol' },
  'top-k': { type: 'int', group: 'analysis', min: 0, help: 'how many top Hessian eigenvalues (0 = none; Lanczos also reports λ_min)', default: 1, library: 'analyze.eigenvalues' },
  'eigen-method': { type: 'string', group: 'analysis', help: 'eigenvalues by lanczos (λ_max and λ_min, with residuals) or power iteration (PyHessian: largest magnitude only)', choices: ['lanczos', 'power'], default: 'lanczos', library: 'eigen.method' },
  'eigen-iters': { type: 'int', group: 'analysis', min: 2, help: `most Lanczos steps (default ${EIGEN_MAX_ITER.lanczos}) or power iterations per eigenvalue (default ${EIGEN_MAX_ITER.power})`, library: 'eigen.maxIter' },
  'eigen-tol': { type: 'number', group: 'analysis', above: 0, help: 'Lanczos: relative residual ‖Hv − λv‖/‖H‖ that counts as converged; power: relative change (PyHessian)', default: 1e-3, library: 'eigen.tol' },
  density: { type: 'bool', group: 'analysis', help: "also the Hessian's eigenvalue density by stochastic Lanczos quadrature, saved as CSV (lambda,density) and plotted on a log scale (SVG, PNG)", default: false, library: 'analyze.density' },
  'density-steps': { type: 'int', group: 'analysis', min: 2, help: 'Lanczos steps per start vector of the density', default: 50, library: 'density.steps' },
  'density-probes': { type: 'int', group: 'analysis', min: 1, help: 'start vectors the density averages over', default: 2, library: 'density.probes' },
  'density-bins': { type: 'int', group: 'analysis', min: 2, help: 'grid points of the density', default: 400, library: 'density.bins' },
  ar: { type: 'bool', group: 'analysis', help: `also the approximation ratio of one-step vs ${AR_STEPS}-step ascent, on training images`, default: false, library: 'analyze.approximationRatio' },
  rho: { type: 'number', group: 'analysis', above: 0, help: 'ascent radius ρ of the approximation ratio', default: 0.1, library: 'ascent.rho' },
  'ar-steps': { type: 'int', group: 'analysis', min: 1, help: 'steps of the multi-step ascent', default: AR_STEPS, library: 'ascent.steps' },
  'ar-samples': { type: 'int', group: 'analysis', min: 1, help: 'training images the approximation ratio averages over (paper: 5000)', default: 5000 },
  // The command line's 'fd' is the library's 'finite-difference'.
  hvp: { type: 'string', group: 'analysis', help: 'Hessian-vector products: exact (double backward, as PyTorch/PyHessian) or central differences of gradients (on ReLU networks these also count the kinks a step crosses, so they differ)', choices: ['exact', 'fd'], default: 'exact', library: 'analyze.hvp' },
  seed: { type: 'int', group: 'run', help: 'seed of the image subset, the trace probes and the power-iteration start', default: 0, library: 'analyze.seed' },
  out: { type: 'string', group: 'output', alias: 'o', arg: 'DIR', help: 'where geometry-<split>.json and .txt go (default: the run folder, else ./geometry)' },
} as const satisfies OptionSchema<GeometryLibraryField>;

export const LANDSCAPE_OPTIONS = {
  split: { type: 'string', group: 'data', help: 'which split the loss is computed on', choices: ['train', 'test'], default: 'train' },
  samples: SAMPLES,
  'batch-size': { type: 'int', group: 'data', min: 1, help: 'images per forward pass', default: DEFAULT_EVAL_BATCH_SIZE },
  range: { type: 'number', group: 'analysis', above: 0, help: 'the grid spans [-range, range] along each direction', default: 1, library: 'landscape.range' },
  resolution: { type: 'int', group: 'analysis', min: 2, help: `grid points per axis (default ${LANDSCAPE_RESOLUTION[2]} in 2-D, ${LANDSCAPE_RESOLUTION[1]} with --1d)`, library: 'landscape.resolution' },
  '1d': { type: 'bool', group: 'analysis', help: 'a 1-D slice along one direction instead of a 2-D surface', default: false },
  'bias-bn': { type: 'bool', group: 'analysis', help: 'also move biases and BatchNorm parameters (their direction is then the weights themselves, as Li et al.)', default: false, library: 'landscape.includeBiasAndNorm' },
  normalization: { type: 'string', group: 'analysis', help: 'direction scaling: filter-wise to the weights (Li et al.) or raw Gaussian', choices: ['filter', 'none'], default: 'filter', library: 'landscape.normalization' },
  seed: { type: 'int', group: 'run', help: 'seed of the directions and the image subset', default: 0, library: 'landscape.seed' },
  title: { type: 'string', group: 'output', help: 'figure title (default: the model name)' },
  out: { type: 'string', group: 'output', alias: 'o', arg: 'DIR', help: 'output folder (default: <run folder>/landscape, else ./landscape)' },
} as const satisfies OptionSchema<GeometryLibraryField>;
