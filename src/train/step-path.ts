// Which code does the parameter-side math of a trainer's step: the JavaScript loops of
// optim/sharpness.ts, or the step graphs of graphs/device-step.ts on the training graph's
// provider (docs/device-step.md). Both read and write the same checkpoint state, so a run may
// change path when it is resumed.
import type * as ort from 'onnxruntime-node';
import { OptionError } from '../core/option-error';
import { DeviceStep, StepSessions } from '../graphs';
import { AdamW } from '../optim/adamw';
import { Sgd } from '../optim/sgd';
import { SharpnessStep, type SharpnessStepState, type StepMetrics } from '../optim/sharpness';
import type { BaseOptimizer, GradientOracle } from '../optim/types';

/** `TrainerOptions.deviceStep`. */
export type DeviceStepChoice = 'auto' | 'on' | 'off';
/** The path a trainer's steps take: 'js' (optim/sharpness.ts) or 'device' (the step graphs). */
export type StepPath = 'js' | 'device';

/** What the trainer drives: `SharpnessStep` or `DeviceStep`, with the same metrics and state. */
export interface Stepper {
  readonly stepCount: number;
  step(w: Float32Array, oracle: GradientOracle, lr: number): Promise<StepMetrics>;
  getState(): SharpnessStepState;
  setState(state: SharpnessStepState): void;
}

/** The options the choice depends on (a subset of ResolvedTrainerOptions). */
export interface StepPathOptions {
  readonly optimizer: SharpnessStep['method'];
  readonly base: 'sgd' | 'adamw';
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  readonly adamBeta1?: number;
  readonly adamBeta2?: number;
  readonly adamEps?: number;
  readonly rho: number;
  readonly alpha: number;
  readonly beta: number;
  readonly crsamForm: SharpnessStep['crsamForm'];
  readonly bnUpdate: SharpnessStep['bnUpdate'];
  readonly maxGradNorm?: number;
  readonly deviceStep: DeviceStepChoice;
}

/** Why the step graphs cannot run these options, or undefined when they can. */
function unsupported(o: StepPathOptions): string | undefined {
  if (o.maxGradNorm !== undefined) return '--max-grad-norm (gradient clipping)';
  if (o.bnUpdate !== 'first') return `--bn-update ${o.bnUpdate} (the step graphs update BatchNorm statistics only at w)`;
  return undefined;
}

/**
 * The path for `o` on a provider of `kind`: 'off' → js; 'on' → device, refused in one sentence
 * for options the graphs lack; 'auto' → device on a GPU provider when the options allow it, else
 * js, because on the CPU the graphs measured slower than the loops (docs/device-step.md).
 */
export function chooseStepPath(o: StepPathOptions, kind: 'cpu' | 'cuda' | 'webgpu'): StepPath {
  const why = unsupported(o);
  if (o.deviceStep === 'on') {
    if (why) throw new OptionError(`--device-step on cannot run with ${why}; leave that option out, or use --device-step off or auto.`);
    return 'device';
  }
  if (o.deviceStep === 'auto') return kind !== 'cpu' && !why ? 'device' : 'js';
  if (o.deviceStep === 'off') return 'js';
  throw new OptionError(`deviceStep must be one of auto, on, off (got '${String(o.deviceStep)}').`);
}

function baseOptimizer(o: StepPathOptions, size: number): BaseOptimizer {
  return o.base === 'adamw'
    ? new AdamW(size, { weightDecay: o.weightDecay, beta1: o.adamBeta1, beta2: o.adamBeta2, eps: o.adamEps })
    : new Sgd(size, { momentum: o.momentum, nesterov: o.nesterov, weightDecay: o.weightDecay });
}

function sharpnessStep(o: StepPathOptions, base: BaseOptimizer): SharpnessStep {
  return new SharpnessStep({
    method: o.optimizer, baseOptimizer: base, rho: o.rho, alpha: o.alpha, beta: o.beta,
    crsamForm: o.crsamForm, bnUpdate: o.bnUpdate, maxGradNorm: o.maxGradNorm,
  });
}

/**
 * The stepper of `path` over `size` parameters, and how to free it. The device path first builds
 * the JS objects over one parameter, so both paths refuse bad options with the same sentences.
 */
export function createStepper(
  o: StepPathOptions, path: StepPath, size: number, sessionOptions: ort.InferenceSession.SessionOptions,
): { readonly stepper: Stepper; release(): Promise<void> } {
  if (path === 'js') return { stepper: sharpnessStep(o, baseOptimizer(o, size)), release: async () => {} };
  sharpnessStep(o, baseOptimizer(o, 1));
  const sessions = new StepSessions(sessionOptions);
  const base = o.base === 'adamw'
    ? { kind: 'adamw' as const, beta1: o.adamBeta1, beta2: o.adamBeta2, eps: o.adamEps, weightDecay: o.weightDecay }
    : { kind: 'sgd' as const, momentum: o.momentum, nesterov: o.nesterov, weightDecay: o.weightDecay };
  const stepper = new DeviceStep({ method: o.optimizer, rho: o.rho, alpha: o.alpha, beta: o.beta, crsamForm: o.crsamForm, size, base }, sessions);
  return { stepper, release: () => sessions.release() };
}
