// Errors a training step raises when it refuses to move the parameters. They are classes so that
// a training loop can tell "skip this batch / lower the lr" apart from a programming error.

import { CrsamError } from '../core/errors';

/** Which evaluation of a step a value came from: `w`, `w+e`, `w-e`, or the gradient handed to the base optimizer. */
export type PassName = 'w' | 'w+e' | 'w-e' | 'update';

/** A pass returned a NaN or infinite loss; thrown before the parameters are touched. */
export class NonFiniteLossError extends CrsamError {
  /** The pass whose loss was not finite. */
  readonly pass: PassName;
  /** The offending loss value. */
  readonly value: number;
  /** Index of the step that was refused (the step count does not advance). */
  readonly stepIndex: number;

  constructor(pass: PassName, value: number, stepIndex: number) {
    super(`Step ${stepIndex} got a non-finite loss (${value}) at ${pass}, so the parameters were left unchanged.`);
    this.name = 'NonFiniteLossError';
    this.pass = pass;
    this.value = value;
    this.stepIndex = stepIndex;
  }
}

/** A gradient held NaN or ±Inf although the losses were finite; thrown before the parameters are touched. */
export class NonFiniteGradientError extends CrsamError {
  /** `w` for the gradient at the unperturbed point, `update` for the one the base optimizer would have used. */
  readonly pass: PassName;
  /** Index of the step that was refused (the step count does not advance). */
  readonly stepIndex: number;

  constructor(pass: PassName, stepIndex: number) {
    const where = pass === 'update' ? 'the combined update gradient' : `the gradient at ${pass}`;
    super(`Step ${stepIndex} got NaN or infinite values in ${where}, so the parameters were left unchanged.`);
    this.name = 'NonFiniteGradientError';
    this.pass = pass;
    this.stepIndex = stepIndex;
  }
}
