// Argument checks shared by the optimizers; each throws an OptionError whose message is one sentence.
import { assertSameLength } from './vector';
import { OptionError } from '../core/option-error';

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
