// One training step of SGD/SAM/ASAM/CR-SAM (docs/optimizers.md) over a flat parameter vector. The loss and
// gradients come from a GradientOracle, so this file is pure math and the same code runs against
// ONNX Runtime sessions or a closed-form quadratic in the tests.
import { clipGradNorm } from './clip';
import { NonFiniteGradientError } from './errors';
import type { BaseOptimizer, EvalRequest, GradientOracle, OptimizerState } from './types';
import { checkLoss, checkMaxNorm, checkNonNegative, checkRho, checkStepCount, evaluateRequests } from './validate';
import { combine3, norm, scaledNorm } from './vector';
import { OptionError } from '../core/option-error';

/** Which update rule a step applies. */
export type SharpnessMethod = 'sgd' | 'sam' | 'asam' | 'crsam';
/** CR-SAM's combined gradient: the authors' release (`reference`) or eq. 7 of the paper (`paper`). */
export type CrSamForm = 'reference' | 'paper';
/** Which passes may update BatchNorm running statistics (docs/optimizers.md). */
export type BnUpdatePolicy = 'all' | 'first' | 'first-and-minus';

/** The method and its hyperparameters, shared by `SharpnessStep` and the device step (graphs/device-step.ts). */
export interface SharpnessParameters {
  /** `sgd`: plain base-optimizer step on g0; `sam`, `asam`, `crsam` as in docs/optimizers.md. Required. */
  readonly method: SharpnessMethod;
  /** Perturbation radius ρ (> 0 for sam/asam/crsam; ignored by sgd). Default: 0.1 (paper, CIFAR-10). */
  readonly rho?: number;
  /** CR-SAM weight α of the curvature term `g+ + g− − 2·g0` (≥ 0). Default: 0.1 (paper, CIFAR-10). */
  readonly alpha?: number;
  /** CR-SAM weight β of the slope term `g+ − g−` (≥ 0). Default: 0.01 (paper, CIFAR-10). */
  readonly beta?: number;
  /** CR-SAM combined-gradient form, see `CrSamForm`. Default: 'reference'. */
  readonly crsamForm?: CrSamForm;
  /** ASAM offset η in T = |w| + η (≥ 0); docs/optimizers.md uses T = |w| + η with η = 0. Default: 0. */
  readonly asamEta?: number;
}

/** Options of `SharpnessStep`. */
export interface SharpnessStepOptions extends SharpnessParameters {
  /** Applies the final update from `w`; its `size` fixes the parameter count. Required. */
  readonly baseOptimizer: BaseOptimizer;
  /** BatchNorm running-statistics policy, see `BnUpdatePolicy`. Default: 'first' (only the pass at w). */
  readonly bnUpdate?: BnUpdatePolicy;
  /** Clip the gradient handed to the base optimizer to this global L2 norm (> 0). Default: no clipping. */
  readonly maxGradNorm?: number;
}

/** What one step reports (docs/optimizers.md). Absent fields do not apply to the method. */
export interface StepMetrics {
  /** 0-based index of this step (the stepper's step count before it). */
  readonly stepIndex: number;
  /** The learning rate the base optimizer used. */
  readonly lr: number;
  /** L0 = L(w). */
  readonly loss: number;
  /** L+ = L(w + e) (sam, asam, crsam). */
  readonly lossPlus?: number;
  /** L− = L(w − e) (crsam). */
  readonly lossMinus?: number;
  /** ‖g0‖, the gradient norm at w. */
  readonly gradNorm: number;
  /** Norm of the gradient handed to the base optimizer, before clipping. */
  readonly updateGradNorm: number;
  /** (L+ + L− − 2L0)/ρ², the directional curvature along v (crsam). */
  readonly curvature?: number;
  /** (L+ − L−)/(2ρ), the directional slope along v (crsam). */
  readonly slope?: number;
  /** CR-SAM terms left out this step because their paper-form denominator was ≤ 1e-12 (crsam; 0 in reference form). */
  readonly droppedTerms?: number;
}

/** Checkpointable state of a `SharpnessStep`. */
export interface SharpnessStepState {
  /** Steps completed so far. */
  readonly stepCount: number;
  /** The base optimizer's state. */
  readonly base: OptimizerState;
}

export const SHARPNESS_METHODS: readonly SharpnessMethod[] = ['sgd', 'sam', 'asam', 'crsam'];
export const CRSAM_FORMS: readonly CrSamForm[] = ['reference', 'paper'];
export const BN_POLICIES: readonly BnUpdatePolicy[] = ['all', 'first', 'first-and-minus'];

/**
 * What `SharpnessStep` uses for an option left out: the paper's CIFAR-10 settings. Defined once
 * here; the trainer's and the command line's defaults (src/train/train-options.ts) refer to it.
 */
export const SHARPNESS_DEFAULTS = {
  rho: 0.1,
  alpha: 0.1,
  beta: 0.01,
  crsamForm: 'reference',
  asamEta: 0,
  bnUpdate: 'first',
} as const satisfies Required<Pick<SharpnessStepOptions, 'rho' | 'alpha' | 'beta' | 'crsamForm' | 'asamEta' | 'bnUpdate'>>;
/** Paper-form denominators at or below this drop their term (docs/optimizers.md). */
const DENOMINATOR_FLOOR = 1e-12;

function oneOf<T extends string>(name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new OptionError(`${name} must be one of ${allowed.join(', ')} (got '${String(value)}').`);
  }
  return value;
}

/**
 * Runs docs/optimizers.md steps. All N-sized buffers are allocated once in the constructor; a step allocates
 * only its small metrics object. Not re-entrant: await each step before starting the next.
 */
export class SharpnessStep {
  readonly method: SharpnessMethod;
  readonly rho: number;
  readonly alpha: number;
  readonly beta: number;
  readonly crsamForm: CrSamForm;
  readonly asamEta: number;
  readonly bnUpdate: BnUpdatePolicy;
  readonly maxGradNorm: number | undefined;
  private readonly base: BaseOptimizer;
  private readonly g0: Float32Array;
  private readonly wPlus: Float32Array;
  private readonly wMinus: Float32Array;
  private readonly gPlus: Float32Array;
  private readonly gMinus: Float32Array;
  private readonly perturbedRequests: readonly EvalRequest[];
  // The request at w is rebuilt only when the caller passes a different array, so steady-state
  // steps reuse it instead of allocating.
  private firstW: Float32Array | null = null;
  private firstRequests: readonly EvalRequest[] = [];
  private steps = 0;
  private busy = false;

  constructor(options: SharpnessStepOptions) {
    this.method = oneOf('method', options.method, SHARPNESS_METHODS);
    this.crsamForm = oneOf('crsamForm', options.crsamForm ?? SHARPNESS_DEFAULTS.crsamForm, CRSAM_FORMS);
    this.bnUpdate = oneOf('bnUpdate', options.bnUpdate ?? SHARPNESS_DEFAULTS.bnUpdate, BN_POLICIES);
    this.rho = options.rho ?? SHARPNESS_DEFAULTS.rho;
    this.alpha = options.alpha ?? SHARPNESS_DEFAULTS.alpha;
    this.beta = options.beta ?? SHARPNESS_DEFAULTS.beta;
    this.asamEta = options.asamEta ?? SHARPNESS_DEFAULTS.asamEta;
    this.maxGradNorm = options.maxGradNorm;
    checkRho(this.method, this.rho);
    checkNonNegative('alpha', this.alpha);
    checkNonNegative('beta', this.beta);
    checkNonNegative('asamEta', this.asamEta);
    if (this.maxGradNorm !== undefined) checkMaxNorm(this.maxGradNorm, 'maxGradNorm');
    const base = options.baseOptimizer;
    if (base === undefined || base === null || typeof base.step !== 'function') {
      throw new OptionError('baseOptimizer must be an optimizer such as Sgd or AdamW.');
    }
    this.base = base;

    const n = base.size;
    const perturbed = this.method !== 'sgd';
    const minus = this.method === 'crsam';
    this.g0 = new Float32Array(n);
    this.wPlus = new Float32Array(perturbed ? n : 0);
    this.gPlus = new Float32Array(perturbed ? n : 0);
    this.wMinus = new Float32Array(minus ? n : 0);
    this.gMinus = new Float32Array(minus ? n : 0);
    const plusReq: EvalRequest = { weights: this.wPlus, updateBuffers: this.bnUpdate === 'all', gradOut: this.gPlus, pass: 'w+e' };
    const minusReq: EvalRequest = { weights: this.wMinus, updateBuffers: this.bnUpdate !== 'first', gradOut: this.gMinus, pass: 'w-e' };
    // CR-SAM's two perturbed passes go out in one evaluate() call so the oracle can run them concurrently.
    this.perturbedRequests = minus ? [plusReq, minusReq] : perturbed ? [plusReq] : [];
  }

  /** Number of parameters (the base optimizer's size). */
  get size(): number {
    return this.base.size;
  }

  /** Steps completed so far. */
  get stepCount(): number {
    return this.steps;
  }

  /**
   * One step on one mini-batch: evaluates (L0, g0) at w, then the perturbed passes, and finally
   * lets the base optimizer update `w` in place from w (never from w + e). Throws
   * NonFiniteLossError / NonFiniteGradientError, leaving `w` and all state unchanged, when a loss
   * or the gradients are not finite.
   */
  async step(w: Float32Array, oracle: GradientOracle, lr: number): Promise<StepMetrics> {
    if (this.busy) {
      throw new Error('SharpnessStep.step() was called while the previous step was still running; await each step.');
    }
    if (w.length !== this.size) {
      throw new OptionError(`w has ${w.length} elements but the stepper was built for ${this.size}.`);
    }
    checkNonNegative('lr', lr);
    this.busy = true;
    try {
      return await this.run(w, oracle, lr);
    } finally {
      this.busy = false;
    }
  }

  private async run(w: Float32Array, oracle: GradientOracle, lr: number): Promise<StepMetrics> {
    const stepIndex = this.steps;
    if (this.firstW !== w) {
      this.firstRequests = [{ weights: w, updateBuffers: true, gradOut: this.g0, pass: 'w' }];
      this.firstW = w;
    }
    const [l0] = await evaluateRequests(oracle, this.firstRequests);
    checkLoss('w', l0, stepIndex);
    const gradNorm = norm(this.g0);
    if (!Number.isFinite(gradNorm)) throw new NonFiniteGradientError('w', stepIndex);

    let update = this.g0;
    let lossPlus: number | undefined;
    let lossMinus: number | undefined;
    let curvature: number | undefined;
    let slope: number | undefined;
    let droppedTerms: number | undefined;
    if (this.method !== 'sgd') {
      this.perturb(w, gradNorm);
      const losses = await evaluateRequests(oracle, this.perturbedRequests);
      lossPlus = losses[0];
      checkLoss('w+e', lossPlus, stepIndex);
      update = this.gPlus;
      if (this.method === 'crsam') {
        lossMinus = losses[1];
        checkLoss('w-e', lossMinus, stepIndex);
        const second = lossPlus + lossMinus - 2 * l0;
        const first = lossPlus - lossMinus;
        curvature = second / (this.rho * this.rho);
        slope = first / (2 * this.rho);
        let a = this.alpha;
        let b = this.beta;
        droppedTerms = 0;
        if (this.crsamForm === 'paper') {
          // Gradient of α·log(L+ + L− − 2L0) + β·log(L+ − L−) with v fixed; log needs a positive argument.
          // A zero-weight term is not counted as dropped: it contributes nothing either way.
          if (second > DENOMINATOR_FLOOR) {
            a /= second;
          } else {
            if (a !== 0) droppedTerms++;
            a = 0;
          }
          if (first > DENOMINATOR_FLOOR) {
            b /= first;
          } else {
            if (b !== 0) droppedTerms++;
            b = 0;
          }
        }
        // g = g+ + a·(g+ + g− − 2·g0) + b·(g+ − g−), regrouped per input vector, written over g+.
        combine3(this.gPlus, 1 + a + b, this.gPlus, a - b, this.gMinus, -2 * a, this.g0);
      }
    }

    const updateGradNorm = update === this.g0 ? gradNorm : norm(update);
    if (!Number.isFinite(updateGradNorm)) throw new NonFiniteGradientError('update', stepIndex);
    if (this.maxGradNorm !== undefined) clipGradNorm(update, this.maxGradNorm, updateGradNorm);
    this.base.step(w, update, lr);
    this.steps = stepIndex + 1;
    return { stepIndex, lr, loss: l0, lossPlus, lossMinus, gradNorm, updateGradNorm, curvature, slope, droppedTerms };
  }

  /** Writes w + e (and w − e for CR-SAM) with e from docs/optimizers.md §2 step 2. */
  private perturb(w: Float32Array, gradNorm: number): void {
    const g0 = this.g0;
    const { wPlus, wMinus } = this;
    const n = w.length;
    const minus = this.method === 'crsam';
    if (this.method === 'asam') {
      // e = ρ·T²g0/(‖T·g0‖ + 1e-12), T = |w| + η.
      const eta = this.asamEta;
      const s = this.rho / (scaledNorm(w, g0, eta) + 1e-12);
      for (let i = 0; i < n; i++) {
        const t = Math.abs(w[i]) + eta;
        wPlus[i] = w[i] + s * t * t * g0[i];
      }
      return;
    }
    // e = ρ·g0/(‖g0‖ + 1e-12); e is never stored, each point is rounded to float32 once.
    const s = this.rho / (gradNorm + 1e-12);
    if (minus) {
      for (let i = 0; i < n; i++) {
        const e = s * g0[i];
        wPlus[i] = w[i] + e;
        wMinus[i] = w[i] - e;
      }
    } else {
      for (let i = 0; i < n; i++) wPlus[i] = w[i] + s * g0[i];
    }
  }

  /** A deep copy of the step count and the base optimizer's state, for checkpoints. */
  getState(): SharpnessStepState {
    return { stepCount: this.steps, base: this.base.getState() };
  }

  /** Restores a state from `getState`. */
  setState(state: SharpnessStepState): void {
    checkStepCount(state.stepCount);
    this.base.setState(state.base);
    this.steps = state.stepCount;
  }
}

