// The one error type for problems the user can cause or fix (a missing folder, a truncated or
// foreign file, options that leave nothing to do), so the CLI can print the message as it is.

import { CrsamError } from '../core/errors';

/** A data set the user named cannot be used; the message is one sentence naming the file. */
export class DataError extends CrsamError {
  override readonly name = 'DataError';
}
