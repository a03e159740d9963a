// The SGD/SAM/ASAM/CR-SAM step with every parameter-sized operation done by the step graphs
// (step-graphs.ts) instead of JavaScript loops; optim/sharpness.ts is the reference it must match
// (docs/device-step.md). The oracle and the metrics are the optimizer layer's, so the two steppers
// are interchangeable behind a trainer option.
import { OptionError } from '../core/option-error';
import { NonFiniteGradientError } from '../optim/errors';
import { SHARPNESS_DEFAULTS } from '../optim/sharpness';
import type { SharpnessParameters, SharpnessStepState, StepMetrics } from '../optim/sharpness';
import type { EvalRequest, GradientOracle, OptimizerState } from '../optim/types';
import { checkLoss, checkNonNegative, checkRho, checkStepCount, evaluateRequests } from '../optim/validate';
import type { StepSessions } from './step-sessions';

/** The base optimizer the device step applies, with PyTorch's defaults where a field is absent. */
export type DeviceBaseOptimizer =
  | { readonly kind: 'sgd'; readonly momentum?: number; readonly weightDecay?: number; readonly nesterov?: boolean }
  | { readonly kind: 'adamw'; readonly beta1?: number; readonly beta2?: number; readonly eps?: number; readonly weightDecay?: number };

/** Options of `DeviceStep`; the method and hyperparameters are `SharpnessStep`'s, defaults included. */
export interface DeviceStepOptions extends SharpnessParameters {
  /** Number of parameters. Required. */
  readonly size: number;
  /** Base optimizer. Required. */
  readonly base: DeviceBaseOptimizer;
}

/**
 * One step per call, like `SharpnessStep.step`, with the BatchNorm policy 'first' (buffers move
 * only at w). Gradient clipping is not offered here yet. On the CPU provider the vectors still
 * pass through host arrays; on a GPU provider the same calls would keep them in device buffers.
 */
export class DeviceStep {
  private readonly n: number;
  private readonly rho: number;
  private readonly alpha: number;
  private readonly beta: number;
  private readonly eta: number;
  private readonly g0: Float32Array;
  private readonly gPlus: Float32Array;
  private readonly gMinus: Float32Array;
  private buf: Float32Array;
  private m: Float32Array;
  private v: Float32Array;
  // Sgd's `hasBuf` (PyTorch's `momentum_buffer is None`): a zero buffer gives the first step's
  // buf = d in the graph, so only the checkpoint needs to know.
  private hasBuf = false;
  // The base optimizer's own step count (AdamW's bias correction), kept apart from `steps` as the
  // JS path keeps it, so that a checkpoint of either path restores into the other.
  private baseSteps = 0;
  private steps = 0;

  constructor(private readonly options: DeviceStepOptions, private readonly sessions: StepSessions) {
    this.n = options.size;
    if (!Number.isInteger(this.n) || this.n <= 0) throw new OptionError(`size must be a positive integer (got ${this.n}).`);
    this.rho = options.rho ?? SHARPNESS_DEFAULTS.rho;
    this.alpha = options.alpha ?? SHARPNESS_DEFAULTS.alpha;
    this.beta = options.beta ?? SHARPNESS_DEFAULTS.beta;
    this.eta = options.asamEta ?? SHARPNESS_DEFAULTS.asamEta;
    checkRho(options.method, this.rho);
    this.g0 = new Float32Array(this.n);
    this.gPlus = new Float32Array(this.n);
    this.gMinus = new Float32Array(options.method === 'crsam' ? this.n : 0);
    const sgd = options.base.kind === 'sgd';
    this.buf = new Float32Array(sgd ? this.n : 0);
    this.m = new Float32Array(sgd ? 0 : this.n);
    this.v = new Float32Array(sgd ? 0 : this.n);
  }

  /** Steps completed so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** One step on one mini-batch; updates `w` in place (copied back from the graph's output). */
  async step(w: Float32Array, oracle: GradientOracle, lr: number): Promise<StepMetrics> {
    if (w.length !== this.n) throw new OptionError(`w has ${w.length} elements but the stepper was built for ${this.n}.`);
    checkNonNegative('lr', lr);
    const stepIndex = this.steps;
    const { method } = this.options;
    const [loss] = await evaluateRequests(oracle, [{ weights: w, updateBuffers: true, gradOut: this.g0, pass: 'w' }]);
    checkLoss('w', loss, stepIndex);
    let gradNorm: number;
    let update = this.g0;
    let updateGradNorm: number;
    const m: { -readonly [K in keyof StepMetrics]: StepMetrics[K] } = { stepIndex, lr, loss, gradNorm: 0, updateGradNorm: 0 };
    if (method === 'sgd') {
      gradNorm = Math.sqrt(await this.sessions.sumSquares(this.g0));
      updateGradNorm = gradNorm;
    } else {
      const p = method === 'asam'
        ? await this.sessions.asamPerturb(w, this.g0, this.rho, this.eta)
        : await this.sessions.samPerturb(w, this.g0, this.rho);
      gradNorm = p.gNorm;
      if (!Number.isFinite(gradNorm)) throw new NonFiniteGradientError('w', stepIndex);
      // Tagged, so that a placing oracle sends SAM's lone w+e pass to the w+e session and does not
      // take its logits for the pass at w (untagged, a lone request is the pass at w).
      const reqs: EvalRequest[] = [{ weights: p.wPlus, updateBuffers: false, gradOut: this.gPlus, pass: 'w+e' }];
      if (method === 'crsam' && p.wMinus) reqs.push({ weights: p.wMinus, updateBuffers: false, gradOut: this.gMinus, pass: 'w-e' });
      const losses = await evaluateRequests(oracle, reqs);
      m.lossPlus = losses[0];
      checkLoss('w+e', m.lossPlus, stepIndex);
      update = this.gPlus;
      updateGradNorm = NaN;
      if (method === 'crsam') {
        m.lossMinus = losses[1];
        checkLoss('w-e', m.lossMinus, stepIndex);
        m.curvature = (m.lossPlus + m.lossMinus - 2 * loss) / (this.rho * this.rho);
        m.slope = (m.lossPlus - m.lossMinus) / (2 * this.rho);
        const c = await this.sessions.crsamCombine(
          this.gPlus, this.gMinus, this.g0, { l0: loss, lPlus: m.lossPlus, lMinus: m.lossMinus },
          this.alpha, this.beta, this.options.crsamForm === 'paper');
        update = c.g;
        updateGradNorm = c.gNorm;
        m.droppedTerms = c.dropped;
      } else {
        updateGradNorm = Math.sqrt(await this.sessions.sumSquares(update));
      }
    }
    if (!Number.isFinite(gradNorm)) throw new NonFiniteGradientError('w', stepIndex);
    if (!Number.isFinite(updateGradNorm)) throw new NonFiniteGradientError('update', stepIndex);
    m.gradNorm = gradNorm;
    m.updateGradNorm = updateGradNorm;
    await this.applyBase(w, update, lr);
    this.steps = stepIndex + 1;
    return m;
  }

  private async applyBase(w: Float32Array, g: Float32Array, lr: number): Promise<void> {
    const base = this.options.base;
    if (base.kind === 'sgd') {
      const r = await this.sessions.sgdUpdate(w, g, this.buf, {
        lr, momentum: base.momentum ?? 0, weightDecay: base.weightDecay ?? 0, nesterov: base.nesterov ?? false,
      });
      w.set(r.w);
      this.buf = r.buf;
      this.hasBuf = true;
      this.baseSteps++;
      return;
    }
    const r = await this.sessions.adamwUpdate(w, g, this.m, this.v, {
      lr, t: this.baseSteps + 1, beta1: base.beta1 ?? 0.9, beta2: base.beta2 ?? 0.999, eps: base.eps ?? 1e-8, weightDecay: base.weightDecay ?? 0.01,
    });
    w.set(r.w);
    this.m = r.m;
    this.v = r.v;
    this.baseSteps++;
  }

  /** The state in `SharpnessStep.getState`'s format (SgdState/AdamWState), copied, for checkpoints. */
  getState(): SharpnessStepState {
    const b = this.options.base;
    const base: OptimizerState = b.kind === 'sgd'
      ? { kind: 'sgd', step: this.baseSteps, momentumBuffer: this.hasBuf && (b.momentum ?? 0) > 0 ? this.buf.slice() : null }
      : { kind: 'adamw', step: this.baseSteps, expAvg: this.m.slice(), expAvgSq: this.v.slice() };
    return { stepCount: this.steps, base };
  }

  /** Restores a state from either path's `getState`, refusing one of another optimizer or size as `Sgd`/`AdamW` do. */
  setState(state: SharpnessStepState): void {
    checkStepCount(state.stepCount);
    const s = state.base;
    const kind = this.options.base.kind;
    if (s.kind !== kind) throw new OptionError(`Cannot restore ${kind === 'sgd' ? 'SGD' : 'AdamW'} from a '${s.kind}' optimizer state.`);
    checkStepCount(s.step);
    if (s.kind === 'sgd') {
      const mb = s.momentumBuffer;
      if (mb !== null && mb.length !== this.n) throw new OptionError(`The momentum buffer has ${mb.length} elements but this SGD has ${this.n}.`);
      this.buf = mb === null ? new Float32Array(this.n) : Float32Array.from(mb);
      this.hasBuf = mb !== null;
    } else {
      for (const [name, buf] of [['expAvg', s.expAvg], ['expAvgSq', s.expAvgSq]] as const) {
        if (buf.length !== this.n) throw new OptionError(`The state's ${name} has ${buf.length} elements but this AdamW has ${this.n}.`);
      }
      this.m = Float32Array.from(s.expAvg);
      this.v = Float32Array.from(s.expAvgSq);
    }
    this.baseSteps = s.step;
    this.steps = state.stepCount;
  }
}
