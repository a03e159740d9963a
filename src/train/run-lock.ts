// One process per run folder: an exclusive lock file (`.lock`) holding the owner's pid, host and
// start time. It is created atomically with its content (written to a temp file, then hard-linked
// to the lock's name, which fails when the lock exists). A lock whose owner is dead (same host,
// no such pid) is stale and is taken over; a live owner, or one on another host, refuses.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeError } from '../core/atomic-file';
import { CrsamError } from '../core/errors';

export class RunLockError extends CrsamError {
  override readonly name = 'RunLockError';
}

export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** ISO time the owner took the lock. */
  readonly started: string;
}

export interface RunLock {
  readonly file: string;
  /** Set when a stale lock (its owner dead) was taken over. */
  readonly tookOverFrom?: LockOwner;
  release(): void;
}

const LOCK_NAME = '.lock';

/** Takes the lock of run folder `dir` (which must exist) or throws a RunLockError naming the owner. */
export function acquireRunLock(dir: string): RunLock {
  const file = path.join(dir, LOCK_NAME);
  const me: LockOwner = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
  let tookOverFrom: LockOwner | undefined;
  // Bounded: each round either takes the lock, refuses, or removes one stale lock.
  for (let round = 0; round < 5; round++) {
    if (tryCreate(file, me)) {
      const release = () => {
        process.off('exit', release);
        try { if (readOwner(file)?.pid === me.pid) fs.rmSync(file, { force: true }); } catch { /* gone already */ }
      };
      // Also on process.exit() paths that skip `finally` blocks.
      process.on('exit', release);
      return { file, tookOverFrom, release };
    }
    const owner = readOwner(file);
    if (owner && (owner.host !== me.host || isAlive(owner.pid))) {
      const where = owner.host === me.host ? '' : ` on host ${owner.host}`;
      throw new RunLockError(`${dir} is in use by crsam process ${owner.pid}${where} (since ${owner.started}); wait for it to finish, or if it is gone, delete ${file}`);
    }
    if (!owner && ageSeconds(file) < 10) {
      // A lock being created right now (its content not readable yet): treat it as held.
      throw new RunLockError(`${dir} is in use by another crsam process that is just starting; wait for it to finish, or if there is none, delete ${file}`);
    }
    takeOver(file, owner);
    tookOverFrom = owner ?? undefined;
  }
  throw new RunLockError(`could not take the lock ${file} (other processes keep taking it); make sure only one crsam uses ${dir}`);
}

function tryCreate(file: string, me: LockOwner): boolean {
  const tmp = `${file}.tmp-${process.pid}-lock`;
  try {
    fs.writeFileSync(tmp, `${JSON.stringify(me)}\n`, { flag: 'w' });
    try {
      fs.linkSync(tmp, file);
      return true;
    } catch (e) {
      if ((e as { code?: string }).code === 'EEXIST') return false;
      throw e;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  } catch (e) {
    throw writeError(e, file);
  }
}

/** Moves a stale lock aside; when what was moved turns out to be a fresh lock, puts it back. */
function takeOver(file: string, stale: LockOwner | undefined): void {
  const aside = `${file}.stale-${process.pid}`;
  try { fs.renameSync(file, aside); } catch { return; /* someone else moved it: retry */ }
  const moved = readOwner(aside);
  if (moved && stale && (moved.pid !== stale.pid || moved.started !== stale.started)) {
    try { fs.linkSync(aside, file); } catch { /* the folder has a new owner either way */ }
  }
  fs.rmSync(aside, { force: true });
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const o = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.started === 'string') return o as LockOwner;
  } catch { /* unreadable or torn: no owner */ }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM'; // exists, owned by another user
  }
}

function ageSeconds(file: string): number {
  try { return (Date.now() - fs.statSync(file).mtimeMs) / 1000; } catch { return Infinity; }
}
