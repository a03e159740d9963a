// The run folder's life: refuse to write into a folder that holds another run (unless resuming
// it, or asked to overwrite it), take its lock, clear what a killed run left (temp files), and
// only after every check has passed, write the first file. Also: fresh folder names per run and
// the `latest` link to the newest one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeFolder, removeStaleTemps, writeError } from '../core/atomic-file';
import { CrsamError } from '../core/errors';
import { acquireRunLock, RunLock } from './run-lock';

export class RunFolderError extends CrsamError {
  override readonly name = 'RunFolderError';
}

/** Files and folders `crsam train` writes into a run folder (what --overwrite replaces). */
const RUN_FILES = [
  'run-config.json', 'run.json', 'resumes.jsonl', 'forward_model.onnx', 'forward_model.onnx.data', 'checkpoints',
  'metrics.jsonl', 'metrics.csv', 'steps.csv', 'summary.json', 'model.onnx', 'model.onnx.data',
  'curves.svg', 'curves.png', 'geometry.svg', 'geometry.png', 'validation-split.json',
  'geometry-test.json', 'geometry-test.txt', 'landscape',
];
/** Any of these marks a folder as holding a run. */
const RUN_MARKERS = ['run-config.json', 'run.json', 'checkpoints', 'forward_model.onnx', 'metrics.jsonl', 'summary.json'];

export interface OpenRunOptions {
  readonly out: string;
  /** Continue the run in `out`: it must hold checkpoints/last.ckpt. */
  readonly resume?: boolean;
  /** Replace a run already in `out` (its files are removed by `clearOldRun`, after validation). */
  readonly overwrite?: boolean;
}

export interface OpenRun {
  readonly lock: RunLock;
  /** True when this call created the folder (removed again when the run fails before its first write). */
  readonly created: boolean;
  /** Temp files of a killed run that were removed. */
  readonly removedTemps: readonly string[];
  release(failedBeforeFirstWrite: boolean): void;
}

/** Checks `out` for the run about to start, creates it if needed and takes its lock. Writes no run file. */
export function openRunFolder(o: OpenRunOptions): OpenRun {
  const { out } = o;
  const exists = fs.existsSync(out);
  if (exists && !fs.statSync(out).isDirectory()) throw new RunFolderError(`${out} is a file, not a folder; give --out a folder`);
  if (o.resume && !exists) throw new RunFolderError(`nothing to resume: ${out} does not exist`);
  // The lock comes first: a folder another process is using is refused as such, whatever it holds.
  if (!exists) makeFolder(out);
  const lock = acquireRunLock(out);
  try {
    checkFolder(o, exists);
  } catch (e) {
    lock.release();
    throw e;
  }
  const removedTemps = [...removeStaleTemps(out), ...removeStaleTemps(path.join(out, 'checkpoints'))];
  return {
    lock, created: !exists, removedTemps,
    release(failedBeforeFirstWrite: boolean) {
      lock.release();
      // A folder this run created and never wrote to goes again (rmdir refuses a non-empty one).
      if (failedBeforeFirstWrite && !exists) try { fs.rmdirSync(out); } catch { /* not empty: keep it */ }
    },
  };
}

function checkFolder(o: OpenRunOptions, exists: boolean): void {
  const { out } = o;
  const last = path.join(out, 'checkpoints', 'last.ckpt');
  if (o.resume) {
    if (!fs.existsSync(last)) {
      throw new RunFolderError(`nothing to resume in ${out}: it holds no checkpoint (${last}) yet, as when a run stops in its first epoch; start it again with --overwrite`);
    }
  } else if (exists && !o.overwrite) {
    const found = RUN_MARKERS.filter((f) => fs.existsSync(path.join(out, f)));
    if (found.length) {
      throw new RunFolderError(`${out} already holds a run (${found.join(', ')}); continue it with --resume ${out}, choose another --out, or pass --overwrite to replace it`);
    }
  }
}

/** Removes the files of the run being overwritten (call only after every check has passed). */
export function clearOldRun(out: string): void {
  for (const f of RUN_FILES) fs.rmSync(path.join(out, f), { recursive: true, force: true });
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `yyyymmdd-hhmmss` in local time. */
function runStamp(d: Date): string {
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

/**
 * Creates a new, empty run folder `<root>/<model>-<optimizer>-<yyyymmdd-hhmmss>[-n]` and returns
 * its path; `-n` is added when another run started in the same second.
 */
export function newRunFolder(root: string, model: string, optimizer: string, now = new Date()): string {
  const stem = `${safeName(model)}-${safeName(optimizer)}-${runStamp(now)}`;
  makeFolder(root);
  for (let n = 1; n <= 1000; n++) {
    const dir = path.join(root, n === 1 ? stem : `${stem}-${n}`);
    try {
      fs.mkdirSync(dir);
      return dir;
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw writeError(e, dir);
    }
  }
  throw new RunFolderError(`${root} already holds 1000 runs named ${stem}-…; give --out a folder`);
}

/**
 * Points `<root>/latest` at `dir` (a relative symlink, replaced atomically by a rename). A real
 * folder or file named `latest` is never touched; returns false then (and where symlinks fail).
 */
export function updateLatestLink(root: string, dir: string): boolean {
  const link = path.join(root, 'latest');
  try {
    if (fs.existsSync(link) && !fs.lstatSync(link).isSymbolicLink()) return false;
  } catch { return false; }
  const tmp = path.join(root, `.latest.tmp-${process.pid}`);
  try {
    fs.rmSync(tmp, { force: true });
    fs.symlinkSync(path.relative(root, dir) || '.', tmp);
    fs.renameSync(tmp, link);
    return true;
  } catch {
    try { fs.rmSync(tmp, { force: true }); } catch { /* nothing to clean */ }
    return false;
  }
}

function safeName(s: string): string {
  return path.basename(s).replace(/\.onnx$/i, '').replace(/[^A-Za-z0-9._-]+/g, '_') || 'model';
}
