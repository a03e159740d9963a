// The SGD/SAM/ASAM/CR-SAM step with every parameter-sized operation done by the step graphs
// (step-graphs.ts) instead of JavaScript loops; optim/sharpness.ts is the reference it must match
// (docs/device-step.md). The oracle and the metrics are the optimizer layer's, so the two steppers
// are interchangeable behind a trainer option.
import { OptionError } from '../core/option-error';
import { NonFiniteGradientError, NonFiniteLossError, type PassName } from '../optim/errors';
import type { SharpnessParameters, StepMetrics } from '../optim/sharpness';
import type { EvalRequest, GradientOracle } from '../optim/types';
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
  private steps = 0;

  constructor(private readonly options: DeviceStepOptions, private readonly sessions: StepSessions) {
    this.n = options.size;
    if (!Number.isInteger(this.n) || this.n <= 0) throw new OptionError(`size must be a positive integer (got ${this.n}).`);
    this.rho = options.rho ?? 0.1;
    this.alpha = options.alpha ?? 0.1;
    this.beta = options.beta ?? 0.01;
    this.eta = options.asamEta ?? 0;
    if (options.method !== 'sgd' && !(this.rho > 0 && Number.isFinite(this.rho))) {
      throw new OptionError(`rho must be a finite number > 0 for method '${options.method}' (got ${this.rho}).`);
    }
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
    const stepIndex = this.steps;
    const { method } = this.options;
    const [loss] = await evaluate(oracle, [{ weights: w, updateBuffers: true, gradOut: this.g0 }]);
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
      const reqs: EvalRequest[] = [{ weights: p.wPlus, updateBuffers: false, gradOut: this.gPlus }];
      if (method === 'crsam' && p.wMinus) reqs.push({ weights: p.wMinus, updateBuffers: false, gradOut: this.gMinus });
      const losses = await evaluate(oracle, reqs);
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
      return;
    }
    const r = await this.sessions.adamwUpdate(w, g, this.m, this.v, {
      lr, t: this.steps + 1, beta1: base.beta1 ?? 0.9, beta2: base.beta2 ?? 0.999, eps: base.eps ?? 1e-8, weightDecay: base.weightDecay ?? 0.01,
    });
    w.set(r.w);
    this.m = r.m;
    this.v = r.v;
  }
}

async function evaluate(oracle: GradientOracle, requests: readonly EvalRequest[]): Promise<number[]> {
  const losses = await oracle.evaluate(requests);
  if (losses.length !== requests.length) throw new Error(`The gradient oracle returned ${losses.length} losses for ${requests.length} request(s).`);
  return losses;
}

function checkLoss(pass: PassName, value: number, stepIndex: number): void {
  if (!Number.isFinite(value)) throw new NonFiniteLossError(pass, value, stepIndex);
}
