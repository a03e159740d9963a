// Eigenvalue density of the Hessian by stochastic Lanczos quadrature (Ghorbani, Krishnan & Xiao
// 2019; PyHessian's `density`): for each random unit start vector v, m Lanczos steps give the
// Gauss quadrature nodes θ_i (Ritz values) and weights τ_i = (first component of T's i-th
// eigenvector)², so that vᵀf(H)v ≈ Σ τ_i f(θ_i); averaging over vectors estimates
// (1/n)·Tr f(H). The density is that quadrature smoothed by a Gaussian of width σ on a grid.
// With full reorthogonalization the nodes do not repeat ("ghost" eigenvalues). See docs/geometry.md.
import { Rng } from '../core/rng';
import { GeometryError } from './errors';
import { lanczos } from './lanczos';
import { ANALYZE_OPTIONS } from './geometry-options';
import { EstimatorOptions, GeometryOracle } from './oracle';
import { tridiagonalEigen } from './tridiagonal';

export interface DensityOptions extends EstimatorOptions {
  /** Lanczos steps per start vector (HVPs each). Default: 50. */
  readonly steps?: number;
  /** Random start vectors averaged over. Default: 2. */
  readonly probes?: number;
  /** Grid points of the smoothed density. Default: 400. */
  readonly bins?: number;
  /** Gaussian width as a fraction of the node range (PyHessian: 1e-5 of the squared range; here linear). Default: 0.01. */
  readonly sigma?: number;
  /** Called after every HVP. Default: none. */
  readonly onIteration?: (i: number, total: number) => void;
}

export interface SpectralDensity {
  readonly method: 'stochastic-lanczos-quadrature';
  /** Quadrature nodes (Ritz values), one array per start vector. */
  readonly nodes: readonly (readonly number[])[];
  /** Quadrature weights, same shape; each vector's sum to 1. */
  readonly weights: readonly (readonly number[])[];
  /** Grid of eigenvalues, ascending. */
  readonly grid: readonly number[];
  /** Density on the grid (integrates to 1; multiply by `parameters` for eigenvalues per unit λ). */
  readonly density: readonly number[];
  /** Gaussian width used, in eigenvalue units. */
  readonly sigma: number;
  /** n·Σ τθ averaged over vectors: an SLQ estimate of Tr(H) (the same probes' Hutchinson estimate when the vectors are Rademacher). */
  readonly traceEstimate: number;
  readonly parameters: number;
  readonly hvps: number;
}

/** SLQ density of the Hessian at w. */
export async function spectralDensity(oracle: GeometryOracle, w: Float32Array, options: DensityOptions = {}): Promise<SpectralDensity> {
  const steps = options.steps ?? ANALYZE_OPTIONS['density-steps'].default;
  const probes = options.probes ?? ANALYZE_OPTIONS['density-probes'].default;
  const bins = options.bins ?? ANALYZE_OPTIONS['density-bins'].default;
  const sigmaFraction = options.sigma ?? 0.01;
  if (!(Number.isInteger(steps) && steps >= 2)) throw new GeometryError(`the density needs at least 2 Lanczos steps, got ${steps}`);
  if (!(Number.isInteger(probes) && probes >= 1)) throw new GeometryError(`the density needs at least 1 start vector, got ${probes}`);
  if (!(Number.isInteger(bins) && bins >= 2)) throw new GeometryError(`the density needs at least 2 grid points, got ${bins}`);
  if (!(sigmaFraction > 0)) throw new GeometryError(`the density's smoothing width must be above 0, got ${sigmaFraction}`);
  const rng = new Rng(options.seed ?? 0, 'slq');
  const nodes: number[][] = [];
  const weights: number[][] = [];
  let hvps = 0;
  const total = steps * probes;
  for (let p = 0; p < probes; p++) {
    const run = await lanczos(oracle, w, rng, { steps, batches: options.batches, onStep: () => { hvps++; options.onIteration?.(hvps, total); return false; } });
    const t = tridiagonalEigen(run.alpha, run.beta.slice(0, run.alpha.length - 1));
    nodes.push([...t.values]);
    weights.push(t.vectors.map((v) => v[0] * v[0]));
  }
  const all = nodes.flat();
  const lo0 = Math.min(...all);
  const hi0 = Math.max(...all);
  const range = Math.max(hi0 - lo0, 1e-12 * Math.max(1, Math.abs(hi0)));
  const sigma = sigmaFraction * range;
  const lo = lo0 - 5 * sigma;
  const hi = hi0 + 5 * sigma;
  const grid = Array.from({ length: bins }, (_, i) => lo + ((hi - lo) * i) / (bins - 1));
  const norm = 1 / (probes * sigma * Math.sqrt(2 * Math.PI));
  const density = grid.map((x) => {
    let s = 0;
    for (let p = 0; p < probes; p++) for (let i = 0; i < nodes[p].length; i++) s += weights[p][i] * Math.exp(-0.5 * ((x - nodes[p][i]) / sigma) ** 2);
    return s * norm;
  });
  let traceEstimate = 0;
  for (let p = 0; p < probes; p++) traceEstimate += nodes[p].reduce((s, th, i) => s + th * weights[p][i], 0);
  traceEstimate *= oracle.size / probes;
  return { method: 'stochastic-lanczos-quadrature', nodes, weights, grid, density, sigma, traceEstimate, parameters: oracle.size, hvps };
}

/** The density as CSV (`lambda,density` per grid point; log-scale plots take log10 of the second column). */
export function densityCsv(d: SpectralDensity): string {
  return ['lambda,density', ...d.grid.map((x, i) => `${x},${d.density[i]}`)].join('\n') + '\n';
}
