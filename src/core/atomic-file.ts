// The one way crsam writes a file a user keeps (checkpoints, models, configs, records, plots):
// a temp file in the same folder, written in full and fsync'ed, renamed over the target, then
// the folder fsync'ed. A crash at any moment leaves either the old file or the new one, never a
// mix; a temp file left by a killed process is removed by `removeStaleTemps` on the next start.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CrsamError } from './errors';
import { faultPoint } from './fault-hook';
import { walkMakeDirectory } from './safe-fs';

/** A file could not be written (full disk, no permission...); the previous version is untouched. */
export class AtomicWriteError extends CrsamError {
  override readonly name = 'AtomicWriteError';
  constructor(message: string, readonly file: string, readonly code: string) { super(message); }
}

/** Temp files of `writeFileAtomic`: `<name>.tmp-<pid>-<n>` next to the target. */
const TEMP = /\.tmp-\d+(?:-\d+)?$/;
let serial = 0;

/** Writes `data` to `file` atomically and durably (see the file comment). */
export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  const dir = path.dirname(path.resolve(file));
  const base = path.basename(file);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const tmp = path.join(dir, `${base}.tmp-${process.pid}-${serial++}`);
  let fd: number | undefined;
  try {
    faultPoint(base, 'start');
    fd = fs.openSync(tmp, 'wx');
    faultPoint(base, 'temp-created');
    const half = Math.floor(bytes.length / 2);
    writeAll(fd, bytes, 0, half);
    faultPoint(base, 'half-written');
    writeAll(fd, bytes, half, bytes.length);
    faultPoint(base, 'written');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    faultPoint(base, 'synced');
    fs.renameSync(tmp, file);
    faultPoint(base, 'renamed');
  } catch (e) {
    if (fd !== undefined) try { fs.closeSync(fd); } catch { /* already failing */ }
    try { fs.rmSync(tmp, { force: true }); } catch { /* best effort: cleaned on the next start */ }
    throw writeError(e, file);
  }
  fsyncFolder(dir);
}

/** Creates `dir` (and its parents), with one sentence when that is impossible. */
export function makeFolder(dir: string): void {
  walkMakeDirectory(dir, (err) => writeError(err === 'not-a-folder' ? Object.assign(new Error('not a folder'), { code: 'ENOTDIR' }) : err, dir));
}

/** Removes the temp files a killed writer left in `dir` (call while holding the folder's lock). */
export function removeStaleTemps(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!TEMP.test(name)) continue;
    const f = path.join(dir, name);
    try { if (fs.lstatSync(f).isFile()) { fs.rmSync(f); removed.push(f); } } catch { /* raced with another cleaner */ }
  }
  return removed;
}

/** Flushes a folder's entries (the rename) to disk; a no-op where folders cannot be fsync'ed. */
function fsyncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows and some network file systems refuse to fsync a folder: the rename still happened.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function writeAll(fd: number, bytes: Uint8Array, from: number, to: number): void {
  let at = from;
  while (at < to) at += fs.writeSync(fd, bytes, at, to - at);
}

/** A file-system failure as one sentence; anything that is not a file-system error passes through. */
export function writeError(e: unknown, file: string): unknown {
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string' || e instanceof CrsamError) return e;
  const kept = fs.existsSync(file) && !fs.statSync(file).isDirectory() ? `the previous ${path.basename(file)} is intact` : 'nothing was written';
  switch (code) {
    case 'ENOSPC': case 'EDQUOT':
      return new AtomicWriteError(`no space left on the device while writing ${file}; ${kept}; free some space and try again`, file, code);
    case 'EACCES': case 'EPERM':
      return new AtomicWriteError(`cannot write ${file}: permission denied; choose a folder you can write to`, file, code);
    case 'EROFS':
      return new AtomicWriteError(`cannot write ${file}: the file system is read-only; choose another folder`, file, code);
    case 'ENOTDIR': case 'EEXIST':
      return new AtomicWriteError(`cannot write ${file}: a part of its path is a file, not a folder; choose another path`, file, code);
    case 'ENOENT':
      return new AtomicWriteError(`cannot write ${file}: its folder does not exist or cannot be created there; choose another path`, file, code);
    default:
      return new AtomicWriteError(`cannot write ${file} (${code}); ${kept}; check the disk and the path`, file, code);
  }
}
