// Ctrl-C (SIGINT), SIGTERM (a scheduler's preemption, `docker stop`) and SIGHUP (a closed
// terminal) all stop a run the same way: finish the step, save a checkpoint, exit non-zero with
// how to resume. The same signal again stops at once (the last saved checkpoint stays as it is).

const CODES: Record<string, number> = { SIGINT: 130, SIGHUP: 129, SIGTERM: 143 };

export interface StopSignals {
  /** The first signal received, if any. */
  readonly received: () => string | undefined;
  /** The exit status for it (128 + its number). */
  readonly exitCode: () => number;
  dispose(): void;
}

/** Aborts `controller` on the first stop signal; exits at once on a second one. */
export function handleStopSignals(controller: AbortController): StopSignals {
  let first: string | undefined;
  const handlers = Object.keys(CODES).map((sig) => {
    const h = () => {
      if (first) {
        process.stderr.write(`\ncrsam: ${sig} again: stopping now without a new checkpoint (the last one saved is kept)\n`);
        process.exit(CODES[sig]);
      }
      first = sig;
      const again = sig === 'SIGINT' ? 'Ctrl-C again' : `${sig} again`;
      process.stderr.write(`\ncrsam: ${sig}: finishing this step and saving a checkpoint (${again} to quit at once)\n`);
      controller.abort();
    };
    process.on(sig as NodeJS.Signals, h);
    return [sig, h] as const;
  });
  return {
    received: () => first,
    exitCode: () => (first ? CODES[first] : 130),
    dispose: () => { for (const [sig, h] of handlers) process.off(sig as NodeJS.Signals, h); },
  };
}
