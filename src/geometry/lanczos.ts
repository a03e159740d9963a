// The Lanczos process on the Hessian-vector product, with full reorthogonalization, and the
// eigenvalue estimates built on it. Lanczos finds both ends of the spectrum from one Krylov
// space, so the top algebraic eigenvalue λ_max and the bottom one λ_min come out separately even
// when |λ_min| ≈ λ_max (where power iteration, which finds the largest magnitude, stalls).
// Convergence evidence is the Ritz residual ‖Hy − θy‖: while iterating, the free estimate
// |β_j·s_j| (exact in exact arithmetic; full reorthogonalization keeps it honest in float32), and
// at the end one HVP per reported eigenvalue measures it directly. A residual r guarantees an
// eigenvalue of H within r of θ (Bauer-Fike for symmetric matrices). See docs/geometry.md.
import { Rng } from '../core/rng';
import { axpy, dot, normalize, norm, scale } from '../optim/vector';
import { GeometryError } from './errors';
import { ANALYZE_OPTIONS, EIGEN_MAX_ITER } from './geometry-options';
import { EstimatorOptions, GeometryOracle } from './oracle';
import { fillRademacher } from './probes';
import { tridiagonalEigen } from './tridiagonal';

export interface LanczosRun {
  /** Diagonal of T (one per step). */
  readonly alpha: readonly number[];
  /** Off-diagonal of T: beta[j] couples steps j and j+1 (length = steps; the last is the residual norm). */
  readonly beta: readonly number[];
  /** The orthonormal Lanczos vectors (one per step). */
  readonly basis: readonly Float32Array[];
  /** True when β fell to ~0: the Krylov space is invariant and every Ritz value is exact. */
  readonly invariant: boolean;
}

export interface LanczosStepOptions extends Pick<EstimatorOptions, 'batches'> {
  /** Most Lanczos steps (one HVP each). Required. */
  readonly steps: number;
  /** Start vector (normalized here); default: Rademacher from `rng`. */
  readonly start?: Float32Array;
  /** Called after each step with T so far; return true to stop. Default: none. */
  readonly onStep?: (alpha: readonly number[], beta: readonly number[]) => boolean;
}

/** Runs Lanczos with full (twice-applied Gram-Schmidt) reorthogonalization. */
export async function lanczos(oracle: GeometryOracle, w: Float32Array, rng: Rng, options: LanczosStepOptions): Promise<LanczosRun> {
  const n = oracle.size;
  const steps = Math.min(options.steps, n);
  const q = new Float32Array(n);
  if (options.start) q.set(options.start);
  else fillRademacher(rng, q);
  if (normalize(q) === 0) throw new GeometryError('the Lanczos start vector is zero; give a non-zero start vector');
  const basis: Float32Array[] = [q];
  const alpha: number[] = [];
  const beta: number[] = [];
  let invariant = false;
  for (let j = 0; j < steps; j++) {
    const r = new Float32Array(n);
    await oracle.hvp(w, basis[j], r, options.batches);
    const a = dot(r, basis[j]);
    alpha.push(a);
    const scaleH = Math.max(Math.abs(a), ...beta.map(Math.abs), 1e-30);
    // Twice is enough (Kahan-Parlett): the second pass removes what float32 rounding left.
    for (let pass = 0; pass < 2; pass++) for (const v of basis) axpy(r, -dot(r, v), v);
    const b = norm(r);
    beta.push(b);
    const stop = options.onStep?.(alpha, beta) ?? false;
    if (b <= 1e-6 * scaleH) { invariant = true; break; }
    if (stop || j === steps - 1) break;
    scale(r, 1 / b);
    basis.push(r);
  }
  return { alpha, beta, basis: basis.slice(0, alpha.length), invariant };
}

/** One Ritz pair's figures. */
export interface RitzEstimate {
  /** The Ritz value θ (estimate of the eigenvalue). */
  readonly value: number;
  /** ‖Hy − θy‖ for the unit Ritz vector y, measured with one extra HVP. */
  readonly residual: number;
  /** The residual relative to the spectral-norm estimate max|θ|. */
  readonly relativeResidual: number;
  /** Whether relativeResidual ≤ the tolerance. */
  readonly converged: boolean;
}

export interface LanczosEigenOptions extends EstimatorOptions {
  /** How many eigenvalues from the top (λ_max first). Default: 1. */
  readonly topK?: number;
  /** Also the bottom eigenvalue λ_min. Default: true. */
  readonly bottom?: boolean;
  /** Most Lanczos steps. Default: 80 (with the end checks, ≤ 80 + topK + 1 HVPs). */
  readonly maxSteps?: number;
  /** Stop when every wanted Ritz pair has |β_j s_j| ≤ tol·max|θ|. Default: 1e-3. */
  readonly tol?: number;
  /** Start vector instead of the seeded one. Default: none. */
  readonly start?: Float32Array;
  /** Called after each step with the current λ_max estimate. Default: none. */
  readonly onIteration?: (step: number, estimate: number) => void;
}

export interface LanczosEigenResult {
  readonly method: 'lanczos';
  /** Top eigenvalues, largest (algebraic) first. */
  readonly top: readonly RitzEstimate[];
  /** The smallest (algebraic) eigenvalue; absent when not asked for. */
  readonly bottom?: RitzEstimate;
  /** The unit Ritz vectors of `top`. */
  readonly topVectors: readonly Float32Array[];
  /** Lanczos steps taken. */
  readonly steps: number;
  /** All HVPs spent (steps + residual checks). */
  readonly hvps: number;
  /** Whether every reported pair converged. */
  readonly converged: boolean;
}

function wanted(values: Float64Array, topK: number, bottom: boolean): number[] {
  const m = values.length;
  const idx = Array.from({ length: Math.min(topK, m) }, (_, i) => m - 1 - i);
  if (bottom && !idx.includes(0)) idx.push(0);
  return idx;
}

/** λ_max (and the next topK − 1) and λ_min by Lanczos, each with its measured residual. */
export async function lanczosEigenvalues(oracle: GeometryOracle, w: Float32Array, options: LanczosEigenOptions = {}): Promise<LanczosEigenResult> {
  const topK = options.topK ?? ANALYZE_OPTIONS['top-k'].default;
  const bottom = options.bottom ?? true;
  const maxSteps = options.maxSteps ?? EIGEN_MAX_ITER.lanczos;
  const tol = options.tol ?? ANALYZE_OPTIONS['eigen-tol'].default;
  if (!(Number.isInteger(topK) && topK >= 1)) throw new GeometryError(`the number of eigenvalues must be a whole number ≥ 1, got ${topK}`);
  if (topK > oracle.size) throw new GeometryError(`asked for ${topK} eigenvalues of a ${oracle.size}-parameter Hessian`);
  if (!(Number.isInteger(maxSteps) && maxSteps >= 2)) throw new GeometryError(`Lanczos needs at least 2 steps, got ${maxSteps}`);
  if (!(tol > 0)) throw new GeometryError(`the Lanczos tolerance must be above 0, got ${tol}`);
  const minSteps = Math.min(oracle.size, topK + 2);
  const run = await lanczos(oracle, w, new Rng(options.seed ?? 0, 'lanczos'), {
    steps: maxSteps, start: options.start, batches: options.batches,
    onStep: (alpha, beta) => {
      const t = tridiagonalEigen(alpha, beta.slice(0, -1));
      const m = alpha.length;
      options.onIteration?.(m, t.values[m - 1]);
      if (m < minSteps) return false;
      const normH = Math.max(Math.abs(t.values[0]), Math.abs(t.values[m - 1]), 1e-30);
      const b = beta[m - 1];
      return wanted(t.values, topK, bottom).every((i) => Math.abs(b * t.vectors[i][m - 1]) <= tol * normH);
    },
  });
  const m = run.alpha.length;
  const t = tridiagonalEigen(run.alpha, run.beta.slice(0, m - 1));
  const normH = Math.max(Math.abs(t.values[0]), Math.abs(t.values[m - 1]), 1e-30);
  const hy = new Float32Array(oracle.size);
  const ritz = async (i: number): Promise<{ est: RitzEstimate; y: Float32Array }> => {
    const y = new Float32Array(oracle.size);
    for (let k = 0; k < m; k++) axpy(y, t.vectors[i][k], run.basis[k]);
    normalize(y);
    await oracle.hvp(w, y, hy, options.batches);
    const value = t.values[i];
    axpy(hy, -value, y);
    const residual = norm(hy);
    return { est: { value, residual, relativeResidual: residual / normH, converged: residual <= tol * normH }, y };
  };
  const top: RitzEstimate[] = [];
  const topVectors: Float32Array[] = [];
  let hvps = m;
  for (let k = 0; k < Math.min(topK, m); k++) {
    const r = await ritz(m - 1 - k);
    top.push(r.est);
    topVectors.push(r.y);
    hvps++;
  }
  let low: RitzEstimate | undefined;
  if (bottom) {
    low = m - 1 < topK ? top[m - 1] : (await ritz(0)).est;
    if (m - 1 >= topK) hvps++;
  }
  const all = [...top, ...(low ? [low] : [])];
  return { method: 'lanczos', top, ...(low ? { bottom: low } : {}), topVectors, steps: m, hvps, converged: all.every((e) => e.converged) };
}
