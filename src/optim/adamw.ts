// AdamW exactly as torch.optim.AdamW does it (no amsgrad, not maximizing): the base optimizer of
// the paper's ViT runs, where decoupled decay matters because wd is large (0.3).
import { checkNonNegative, checkSize, checkStepArgs, checkStepCount } from './validate';
import type { AdamWState, BaseOptimizer, OptimizerState } from './types';
import { OptionError } from '../core/option-error';

/** Options of `AdamW`; the defaults are PyTorch's. */
export interface AdamWOptions {
  /** Decay rate of the first-moment estimate, in [0, 1). Default: 0.9. */
  readonly beta1?: number;
  /** Decay rate of the second-moment estimate, in [0, 1). Default: 0.999. */
  readonly beta2?: number;
  /** Added to √v̂ (after bias correction) before dividing, for stability (≥ 0). Default: 1e-8. */
  readonly eps?: number;
  /** Decoupled weight decay: each step multiplies w by `1 − lr·weightDecay` (≥ 0). Default: 0.01. */
  readonly weightDecay?: number;
}

function checkBeta(name: string, b: number): void {
  if (!Number.isFinite(b) || b < 0 || b >= 1) throw new OptionError(`${name} must be in [0, 1) (got ${b}).`);
}

/**
 * torch.optim.AdamW over one flat vector, step t = 1, 2, …:
 * `w ← w·(1 − lr·wd)`; `m ← β1·m + (1−β1)·g`; `v ← β2·v + (1−β2)·g²`;
 * `w ← w − (lr/(1−β1ᵗ))·m / (√v/√(1−β2ᵗ) + eps)`.
 * Arithmetic is float64 per element, rounded once on store (PyTorch rounds per op: ~1e-7 relative).
 */
export class AdamW implements BaseOptimizer {
  readonly size: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private steps = 0;

  constructor(size: number, options: AdamWOptions = {}) {
    checkSize(size);
    this.size = size;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    checkBeta('beta1', this.beta1);
    checkBeta('beta2', this.beta2);
    checkNonNegative('eps', this.eps);
    checkNonNegative('weightDecay', this.weightDecay);
    // Allocated once here so that step() never allocates.
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  /** Base-optimizer steps taken so far (the t of the bias correction). */
  get stepCount(): number {
    return this.steps;
  }

  step(w: Float32Array, g: Float32Array, lr: number): void {
    checkStepArgs(this.size, w, g, lr);
    const t = this.steps + 1;
    const { beta1: b1, beta2: b2, eps, m, v } = this;
    const decay = 1 - lr * this.weightDecay;
    const stepSize = lr / (1 - Math.pow(b1, t));
    const bc2Sqrt = Math.sqrt(1 - Math.pow(b2, t));
    const n = this.size;
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      m[i] = b1 * m[i] + (1 - b1) * gi;
      v[i] = b2 * v[i] + (1 - b2) * gi * gi;
      // PyTorch decays first, then applies the Adam step to the decayed weight.
      w[i] = w[i] * decay - (stepSize * m[i]) / (Math.sqrt(v[i]) / bc2Sqrt + eps);
    }
    this.steps = t;
  }

  getState(): AdamWState {
    return { kind: 'adamw', step: this.steps, expAvg: this.m.slice(), expAvgSq: this.v.slice() };
  }

  setState(state: OptimizerState): void {
    if (state.kind !== 'adamw') throw new OptionError(`Cannot restore AdamW from a '${state.kind}' optimizer state.`);
    checkStepCount(state.step);
    for (const [name, buf] of [['expAvg', state.expAvg], ['expAvgSq', state.expAvgSq]] as const) {
      if (buf.length !== this.size) {
        throw new OptionError(`The state's ${name} has ${buf.length} elements but this AdamW has ${this.size}.`);
      }
    }
    this.m.set(state.expAvg);
    this.v.set(state.expAvgSq);
    this.steps = state.step;
  }
}
