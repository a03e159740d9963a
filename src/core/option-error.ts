// The error for an option, argument or state a library caller (or the CLI on its behalf) got wrong:
// an out-of-range hyper-parameter, an unknown zoo model, a state that does not fit. Programming
// errors inside crsam stay plain errors, so the CLI reports those as internal errors.
import { CrsamError } from './errors';

/** A bad option or argument value, explained in one sentence. */
export class OptionError extends CrsamError {
  override readonly name = 'OptionError';
}
