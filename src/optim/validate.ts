// Argument checks shared by the optimizers and the two steppers (optim/sharpness.ts and
// graphs/device-step.ts); each throws an error whose message is one sentence.
import { assertSameLength } from './vector';
import { OptionError } from '../core/option-error';
import { NonFiniteLossError, type PassName } from './errors';
import type { SharpnessMethod } from './sharpness';
import type { EvalRequest, GradientOracle } from './types';

/** Throws unless `x` is a finite number ≥ 0. */
export function checkNonNegative(name: string, x: number): void {
  if (!Number.isFinite(x) || x < 0) throw new OptionError(`${name} must be a finite number ≥ 0 (got ${x}).`);
}

/** Throws unless `n` can be a parameter count. */
export function checkSize(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new OptionError(`size must be a whole number ≥ 0 (got ${n}).`);
}

/** Validates the arguments every base optimizer's step() takes. */
export function checkStepArgs(size: number, w: Float32Array, g: Float32Array, lr: number): void {
  if (w.length !== size) throw new OptionError(`w has ${w.length} elements but the optimizer was built for ${size}.`);
  assertSameLength(w, g, 'parameters and gradient');
  checkNonNegative('lr', lr);
}

/** Validates a step count read from a checkpoint. */
export function checkStepCount(step: number): void {
  if (!Number.isInteger(step) || step < 0) throw new OptionError(`The state's step count must be a whole number ≥ 0 (got ${step}).`);
}

/** Throws unless `maxNorm` is usable as a clipping threshold. */
export function checkMaxNorm(maxNorm: number, name = 'maxNorm'): void {
  if (!Number.isFinite(maxNorm) || !(maxNorm > 0)) {
    throw new OptionError(`${name} must be a finite number > 0 (got ${maxNorm}).`);
  }
}

/** The oracle's losses for `requests`, refusing an answer of another length (both steppers use it). */
export async function evaluateRequests(oracle: GradientOracle, requests: readonly EvalRequest[]): Promise<number[]> {
  const losses = await oracle.evaluate(requests);
  if (!Array.isArray(losses) || losses.length !== requests.length) {
    const got = Array.isArray(losses) ? `${losses.length} losses` : 'no array';
    throw new Error(`The gradient oracle returned ${got} for ${requests.length} request(s).`);
  }
  return losses;
}

/** Throws NonFiniteLossError unless the loss of `pass` is a finite number. */
export function checkLoss(pass: PassName, value: number, stepIndex: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new NonFiniteLossError(pass, value, stepIndex);
}

/** Throws unless ρ can perturb the weights: finite and > 0 for every method but plain SGD. */
export function checkRho(method: SharpnessMethod, rho: number): void {
  if (method !== 'sgd' && !(Number.isFinite(rho) && rho > 0)) {
    throw new OptionError(`rho must be a finite number > 0 for method '${method}' (got ${rho}).`);
  }
}
