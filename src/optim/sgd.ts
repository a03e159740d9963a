// SGD with momentum, exactly as torch.optim.SGD does it (dampening 0, not maximizing), so that
// runs line up with the authors' PyTorch release step for step.
import { checkNonNegative, checkSize, checkStepArgs, checkStepCount } from './validate';
import type { BaseOptimizer, OptimizerState, SgdState } from './types';
import { OptionError } from '../core/option-error';

/** Options of `Sgd`; the defaults are PyTorch's. */
export interface SgdOptions {
  /** Momentum factor μ (≥ 0). 0 means plain SGD without a buffer. Default: 0. */
  readonly momentum?: number;
  /** Coupled L2 weight decay: the gradient becomes `g + weightDecay·w` (≥ 0). Default: 0. */
  readonly weightDecay?: number;
  /** Nesterov momentum: step along `d + μ·buf` instead of `buf`; needs momentum > 0. Default: false. */
  readonly nesterov?: boolean;
}

/**
 * torch.optim.SGD over one flat vector:
 * `d = g + wd·w`; `buf = μ·buf + d` (first step: `buf = d`); `w ← w − lr·buf`, or with Nesterov
 * `w ← w − lr·(d + μ·buf)`. Arithmetic is float64 per element, rounded once on store; PyTorch's
 * float32 kernels round after every operation, which differs by ~1e-7 relative.
 */
export class Sgd implements BaseOptimizer {
  readonly size: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  private readonly buf: Float32Array;
  // PyTorch keeps `momentum_buffer = None` until the first step; this flag is that `None`.
  private hasBuf = false;
  private steps = 0;

  constructor(size: number, options: SgdOptions = {}) {
    checkSize(size);
    this.size = size;
    this.momentum = options.momentum ?? 0;
    this.weightDecay = options.weightDecay ?? 0;
    this.nesterov = options.nesterov ?? false;
    checkNonNegative('momentum', this.momentum);
    checkNonNegative('weightDecay', this.weightDecay);
    if (this.nesterov && this.momentum <= 0) {
      throw new OptionError('Nesterov momentum needs momentum > 0.');
    }
    // Allocated once here so that step() never allocates.
    this.buf = new Float32Array(this.momentum > 0 ? size : 0);
  }

  /** Base-optimizer steps taken so far. */
  get stepCount(): number {
    return this.steps;
  }

  step(w: Float32Array, g: Float32Array, lr: number): void {
    checkStepArgs(this.size, w, g, lr);
    const { momentum: mu, weightDecay: wd, nesterov, buf } = this;
    const n = this.size;
    if (mu === 0) {
      for (let i = 0; i < n; i++) w[i] -= lr * (g[i] + wd * w[i]);
    } else if (!this.hasBuf) {
      for (let i = 0; i < n; i++) {
        const d = g[i] + wd * w[i];
        buf[i] = d;
        w[i] -= lr * (nesterov ? d + mu * buf[i] : buf[i]);
      }
      this.hasBuf = true;
    } else {
      for (let i = 0; i < n; i++) {
        const d = g[i] + wd * w[i];
        buf[i] = mu * buf[i] + d;
        w[i] -= lr * (nesterov ? d + mu * buf[i] : buf[i]);
      }
    }
    this.steps++;
  }

  getState(): SgdState {
    return {
      kind: 'sgd',
      step: this.steps,
      momentumBuffer: this.hasBuf ? this.buf.slice() : null,
    };
  }

  setState(state: OptimizerState): void {
    if (state.kind !== 'sgd') throw new OptionError(`Cannot restore SGD from a '${state.kind}' optimizer state.`);
    checkStepCount(state.step);
    const mb = state.momentumBuffer;
    if (mb !== null) {
      if (this.momentum === 0) throw new OptionError('This SGD has momentum 0 but the state holds a momentum buffer.');
      if (mb.length !== this.size) {
        throw new OptionError(`The momentum buffer has ${mb.length} elements but this SGD has ${this.size}.`);
      }
      this.buf.set(mb);
    }
    this.hasBuf = mb !== null;
    this.steps = state.step;
  }
}
