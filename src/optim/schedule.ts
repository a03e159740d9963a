// Learning-rate schedules as pure functions of the step (or epoch) index, using the closed forms
// of PyTorch's schedulers so that a run can be compared with the authors' release. A pure function
// (rather than a stateful scheduler with .step()) makes resuming from a checkpoint trivial: the
// lr of step t only depends on t.
import { OptionError } from '../core/option-error';

/** Linear warm-up shared by every schedule kind. */
export interface WarmupOptions {
  /**
   * Number of warm-up indices W (whole number ≥ 0). During indices 0…W−1 the lr rises linearly
   * from `warmupStartFactor·baseLr` towards `baseLr` (PyTorch's LinearLR with total_iters = W);
   * the main schedule then starts at its own index 0 on index W, as PyTorch's
   * SequentialLR([LinearLR, main], milestones=[W]) does. Default: 0 (no warm-up).
   */
  readonly warmupSteps?: number;
  /** Fraction of `baseLr` used at index 0 of the warm-up, in [0, 1]. Default: 1/3 (PyTorch's LinearLR). */
  readonly warmupStartFactor?: number;
}

/** Fixed lr (after the optional warm-up). */
export interface ConstantScheduleOptions extends WarmupOptions {
  /** Selects a fixed lr. Required, no default. */
  readonly kind: 'constant';
  /** The learning rate (finite, ≥ 0). No default. */
  readonly baseLr: number;
}

/** StepLR: `baseLr·gamma^⌊t/stepSize⌋`. */
export interface StepScheduleOptions extends WarmupOptions {
  /** Selects StepLR. Required, no default. */
  readonly kind: 'step';
  /** Learning rate at index 0 of the main schedule (finite, ≥ 0). No default. */
  readonly baseLr: number;
  /** Indices between two decays (whole number ≥ 1). No default. */
  readonly stepSize: number;
  /** Multiplicative decay at each decay point (finite, ≥ 0). Default: 0.1 (PyTorch's). */
  readonly gamma?: number;
}

/** MultiStepLR: `baseLr·gamma^(number of milestones ≤ t)`. */
export interface MultiStepScheduleOptions extends WarmupOptions {
  /** Selects MultiStepLR. Required, no default. */
  readonly kind: 'multistep';
  /** Learning rate at index 0 of the main schedule (finite, ≥ 0). No default. */
  readonly baseLr: number;
  /**
   * Indices (whole numbers ≥ 0, counted from the end of the warm-up) at which the lr is multiplied
   * by `gamma`; any order, a repeated milestone decays twice as in PyTorch. No default.
   */
  readonly milestones: readonly number[];
  /** Multiplicative decay at each milestone (finite, ≥ 0). Default: 0.1 (PyTorch's). */
  readonly gamma?: number;
}

/** CosineAnnealingLR: `etaMin + (baseLr − etaMin)·(1 + cos(π·t/T))/2` with T = totalSteps − warmupSteps. */
export interface CosineScheduleOptions extends WarmupOptions {
  /** Selects CosineAnnealingLR. Required, no default. */
  readonly kind: 'cosine';
  /** Learning rate at index 0 of the main schedule (finite, ≥ 0). No default. */
  readonly baseLr: number;
  /**
   * Length of the whole run in indices, warm-up included (whole number > warmupSteps); the cosine
   * reaches `etaMin` at index totalSteps. Beyond it the lr stays at `etaMin` (PyTorch's closed form
   * would rise again; holding it is the safer reading for a run that overshoots). No default.
   */
  readonly totalSteps: number;
  /** Final learning rate (finite, ≥ 0). Default: 0 (PyTorch's eta_min). */
  readonly etaMin?: number;
}

/** Any schedule, selected by `kind`. */
export type ScheduleOptions =
  | ConstantScheduleOptions
  | StepScheduleOptions
  | MultiStepScheduleOptions
  | CosineScheduleOptions;

/** The lr for index t (whole number ≥ 0): steps or epochs, whichever unit the caller counts in. */
export type Schedule = (stepIndex: number) => number;

function checkFinite(name: string, x: number, min: number): void {
  if (!Number.isFinite(x) || x < min) throw new OptionError(`${name} must be a finite number ≥ ${min} (got ${x}).`);
}

function checkIndex(name: string, x: number, min: number): void {
  if (!Number.isInteger(x) || x < min) throw new OptionError(`${name} must be a whole number ≥ ${min} (got ${x}).`);
}

/** Number of sorted entries ≤ t (Python's bisect.bisect_right). */
function bisectRight(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Builds the main (post-warm-up) schedule, indexed from 0. */
function mainSchedule(options: ScheduleOptions, warmupSteps: number): Schedule {
  const base = options.baseLr;
  switch (options.kind) {
    case 'constant':
      return () => base;
    case 'step': {
      const gamma = options.gamma ?? 0.1;
      checkIndex('stepSize', options.stepSize, 1);
      checkFinite('gamma', gamma, 0);
      const stepSize = options.stepSize;
      return (t) => base * Math.pow(gamma, Math.floor(t / stepSize));
    }
    case 'multistep': {
      const gamma = options.gamma ?? 0.1;
      checkFinite('gamma', gamma, 0);
      if (!Array.isArray(options.milestones)) throw new OptionError('milestones must be an array of step indices.');
      for (const m of options.milestones) checkIndex('Every milestone', m, 0);
      const milestones = [...options.milestones].sort((a, b) => a - b);
      return (t) => base * Math.pow(gamma, bisectRight(milestones, t));
    }
    case 'cosine': {
      const etaMin = options.etaMin ?? 0;
      checkFinite('etaMin', etaMin, 0);
      checkIndex('totalSteps', options.totalSteps, warmupSteps + 1);
      const span = options.totalSteps - warmupSteps;
      return (t) => (t >= span ? etaMin : etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * t) / span))) / 2);
    }
    default: {
      const unknown: { kind?: unknown } = options;
      throw new OptionError(`Unknown schedule kind '${String(unknown.kind)}' (expected constant, step, multistep or cosine).`);
    }
  }
}

/**
 * Returns the lr for each index t: the linear warm-up for t < warmupSteps, then the main schedule
 * at t − warmupSteps. Options are validated here, once, so the returned function only checks t.
 */
export function createSchedule(options: ScheduleOptions): Schedule {
  checkFinite('baseLr', options.baseLr, 0);
  const warmupSteps = options.warmupSteps ?? 0;
  const start = options.warmupStartFactor ?? 1 / 3;
  checkIndex('warmupSteps', warmupSteps, 0);
  if (!Number.isFinite(start) || start < 0 || start > 1) {
    throw new OptionError(`warmupStartFactor must be in [0, 1] (got ${start}).`);
  }
  const main = mainSchedule(options, warmupSteps);
  const base = options.baseLr;
  return (stepIndex: number): number => {
    checkIndex('The step index', stepIndex, 0);
    if (stepIndex < warmupSteps) return base * (start + ((1 - start) * stepIndex) / warmupSteps);
    return main(stepIndex - warmupSteps);
  };
}
