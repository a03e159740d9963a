// What a resumed run may change. A resume continues the same run: anything that changes its math
// (model, data, optimizer and its hyper-parameters, batch size, seed, schedule, limits, ...) is
// refused; only settings that change how the run is executed, not what it computes, may differ.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../core/atomic-file';
import { CrsamError } from '../core/errors';
import { RESUME_SAFE_OPTIONS } from './train-options';

export class ResumeError extends CrsamError {
  override readonly name = 'ResumeError';
}

/**
 * Config keys (crsam train flag names) a resume may change: --epochs (to extend the run), and
 * the execution settings (threads, device, parallel passes), marked resumeSafe in the option
 * schema. Everything else must equal the recorded value. Parallel and sequential passes give
 * bit-identical steps. --data-parallel and --devices set the data-parallel replicas, which change
 * only the float rounding of a model without BatchNorm but the batch statistics of one with it:
 * the flags pass here, and `checkResumeReplicas` refuses a different replica count for a
 * BatchNorm model.
 */
const RESUME_SAFE_KEYS: ReadonlySet<string> = RESUME_SAFE_OPTIONS;

/**
 * Refuses a resume of a BatchNorm model on another number of data-parallel replicas than its
 * checkpoint was trained on: each replica normalizes with its own shard's statistics, so the
 * count is part of the math (docs/scale-out.md). Without BatchNorm the replicas' mean is the full
 * batch's, and any count continues the run.
 */
export function checkResumeReplicas(out: string, recorded: number, now: number, batchNorm: boolean): void {
  if (!batchNorm || recorded === now) return;
  throw new ResumeError(`${out} was trained on ${recorded} data-parallel replica${recorded > 1 ? 's' : ''} and would continue on ${now}, which changes the math of its BatchNorm model (each replica normalizes its own shard); resume with --data-parallel ${recorded}, or start a new run with another --out`);
}

/**
 * The requested keys whose value differs from the recorded one (safe keys left out; a key the
 * run did not record counts as unset). Pass only what the user asked for (the flags given).
 */
function changedMathKeys(recorded: Record<string, unknown>, requested: Record<string, unknown>): string[] {
  return Object.keys(requested).filter((k) => !RESUME_SAFE_KEYS.has(k) && !same(recorded[k], requested[k])).sort();
}

/** Refuses a resume that would change the run's math, listing every such setting in one sentence. */
export function checkResume(recorded: Record<string, unknown>, requested: Record<string, unknown>): void {
  const changed = changedMathKeys(recorded, requested);
  if (!changed.length) return;
  const list = changed.map((k) => `--${k} ${show(requested[k])} (the run has ${show(recorded[k])})`).join(', ');
  throw new ResumeError(`a resumed run must continue the same run, but ${list} would change its math; leave ${changed.length > 1 ? 'them' : 'it'} out, or start a new run with another --out`);
}

/** The config recorded in `out/run-config.json` ({} when absent), with one sentence when it is unreadable. */
export function readRecordedConfig(out: string): Record<string, unknown> {
  const file = path.join(out, 'run-config.json');
  if (!fs.existsSync(file)) return {};
  let obj: unknown;
  try { obj = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { obj = undefined; }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new ResumeError(`${file} is damaged (not a JSON object of settings); restore it from a backup or start a new run`);
  }
  return obj as Record<string, unknown>;
}

export interface ResumeEntry {
  /** ISO time of the resume. */
  readonly time: string;
  /** The process's command line, when known. */
  readonly commandLine?: readonly string[];
  /** Safe settings that changed: key → [recorded, now]. */
  readonly changed: Record<string, [unknown, unknown]>;
  readonly fromStep: number;
  readonly fromEpoch: number;
}

/** Safe settings whose value changed on this resume. */
export function changedSafeKeys(recorded: Record<string, unknown>, requested: Record<string, unknown>): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const k of Object.keys(requested)) {
    if (RESUME_SAFE_KEYS.has(k) && k in recorded && !same(recorded[k], requested[k]) && k !== 'out') out[k] = [recorded[k], requested[k]];
  }
  return out;
}

/** Appends one line to `out/resumes.jsonl` (the whole file rewritten atomically: it stays small). */
export function recordResume(out: string, entry: ResumeEntry): void {
  const file = path.join(out, 'resumes.jsonl');
  const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  writeFileAtomic(file, `${before}${before && !before.endsWith('\n') ? '\n' : ''}${JSON.stringify(entry)}\n`);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function show(v: unknown): string {
  return Array.isArray(v) ? v.join(',') : v === undefined ? '(unset)' : String(v);
}
