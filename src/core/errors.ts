// The one base class of every error the user can cause or fix. Its message is a complete
// sentence (what was wrong, what to do), so the CLI prints it as it is; anything else that
// reaches the CLI is our bug and is reported as an internal error.

/** A problem with the user's input, files or options, explained in one sentence. */
export class CrsamError extends Error {
  override name = 'CrsamError';
  /** Marks the class apart from a plain `Error` (for type narrowing); always true. */
  readonly userFacing = true;
}

/** True when `e` is a user-facing error (a `CrsamError`), false for bugs and foreign errors. */
export function isUserError(e: unknown): e is CrsamError {
  return e instanceof CrsamError;
}
