// The approximation ratio of SAM's one-step ascent (paper eq. 2):
//   AR = mean over batches of (L(w+δ) − L(w)) / (L(w+δ*) − L(w)),
// δ = ρ·g/‖g‖ the one-step ascent, δ* the end point of `steps` steps of projected normalized
// gradient ascent inside the ρ-ball from δ₀ = 0: δ_{k+1} = Π_ρ(δ_k + η·g(w+δ_k)/‖g(w+δ_k)‖),
// with η = 2.5ρ/steps by default (Madry et al.'s PGD step, so the path can reach the sphere and
// still move along it). The paper does not give η or the start; these are our choices.
import { GeometryError } from './errors';
import { ANALYZE_OPTIONS } from './geometry-options';
import { GeometryOracle, allBatches } from './oracle';
import { addScaled, axpy, norm, scale } from '../optim/vector';

export interface AscentOptions {
  /** Ball radius ρ. Default: 0.1 (the paper's CIFAR ρ, crsam's default). */
  readonly rho?: number;
  /** Ascent steps for δ*. Default: 20 (paper). */
  readonly steps?: number;
  /** Step length η of the multi-step ascent, in weight units. Default: 2.5·ρ/steps. */
  readonly stepSize?: number;
  /** Batches to average over (each is one term of the mean). Default: all. */
  readonly batches?: readonly number[];
  /** Called after each batch. Default: none. */
  readonly onBatch?: (done: number, total: number) => void;
}

export interface AscentResult {
  /** Mean of the per-batch ratios (NaN when every batch was skipped). */
  readonly ratio: number;
  /** Ratio of each batch used. */
  readonly perBatch: readonly number[];
  /** Batches left out because the multi-step ascent did not raise the loss (denominator ≤ 1e-12). */
  readonly skipped: number;
  /** Mean L(w+δ) − L(w) and L(w+δ*) − L(w) over the batches used. */
  readonly oneStepGain: number;
  readonly multiStepGain: number;
  readonly rho: number;
  readonly steps: number;
  readonly stepSize: number;
}

export async function approximationRatio(oracle: GeometryOracle, w: Float32Array, options: AscentOptions = {}): Promise<AscentResult> {
  const rho = options.rho ?? ANALYZE_OPTIONS.rho.default;
  const steps = options.steps ?? ANALYZE_OPTIONS['ar-steps'].default;
  const eta = options.stepSize ?? 2.5 * rho / steps;
  if (!(rho > 0)) throw new GeometryError(`the ascent radius ρ must be above 0, got ${rho}`);
  if (!(Number.isInteger(steps) && steps >= 1)) throw new GeometryError(`the multi-step ascent needs at least 1 step, got ${steps}`);
  if (!(eta > 0)) throw new GeometryError(`the ascent step size must be above 0, got ${eta}`);
  const batches = options.batches ?? allBatches(oracle);
  const g = new Float32Array(oracle.size);
  const delta = new Float32Array(oracle.size);
  const at = new Float32Array(oracle.size);
  const perBatch: number[] = [];
  let skipped = 0;
  let oneSum = 0;
  let multiSum = 0;
  for (const [done, b] of batches.entries()) {
    const only = [b];
    const l0 = await oracle.gradient(w, g, only);
    const gn = norm(g);
    addScaled(at, w, rho / (gn + 1e-12), g);
    const l1 = (await oracle.evaluate(at, only)).loss;
    // δ* by projected normalized ascent; step 0 reuses g(w).
    delta.fill(0);
    for (let k = 0; k < steps; k++) {
      if (k > 0) {
        addScaled(at, w, 1, delta);
        await oracle.gradient(at, g, only);
      }
      axpy(delta, eta / (norm(g) + 1e-12), g);
      const dn = norm(delta);
      if (dn > rho) scale(delta, rho / dn);
    }
    addScaled(at, w, 1, delta);
    const lStar = (await oracle.evaluate(at, only)).loss;
    const den = lStar - l0;
    if (den > 1e-12) {
      perBatch.push((l1 - l0) / den);
      oneSum += l1 - l0;
      multiSum += den;
    } else {
      skipped++;
    }
    options.onBatch?.(done + 1, batches.length);
  }
  const used = perBatch.length;
  return {
    ratio: used ? perBatch.reduce((a, c) => a + c, 0) / used : NaN, perBatch, skipped,
    oneStepGain: used ? oneSum / used : NaN, multiStepGain: used ? multiSum / used : NaN, rho, steps, stepSize: eta,
  };
}
