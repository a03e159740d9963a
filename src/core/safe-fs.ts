// File-system primitives that cannot hang or blow up memory on a hostile path: reading only
// regular files (a FIFO blocks a plain read forever, /dev/zero never ends), and creating folders
// with a bounded walk (Node's recursive mkdirSync spins forever under /proc, where mkdir answers
// ENOENT for a parent that exists). Callers pass their own error class, so messages keep naming
// the kind of file the user gave.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CrsamError } from './errors';

/** An output folder or file that cannot be created or written; one sentence for the user. */
export class OutputPathError extends CrsamError {
  override readonly name = 'OutputPathError';
}

/** Builds the caller's user-facing error from a one-sentence message. */
export type MakeError = (message: string) => Error;

/** What a special file is, for messages ("a FIFO", "a device", ...); undefined for a regular file. */
function specialKind(st: fs.Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads a whole regular file, refusing special files without blocking on them: the file is opened
 * non-blocking and checked with fstat on the open descriptor, so a FIFO (or a file swapped for one
 * after a stat) is refused instead of read. `maxBytes` refuses files larger than the caller can use
 * before anything is allocated. `what` names the file in messages ("the model", "the label file").
 */
export function readRegularFile(file: string, what: string, makeError: MakeError, maxBytes = Number.MAX_SAFE_INTEGER): Buffer {
  const fd = openRegularFile(file, what, makeError);
  try {
    const size = fs.fstatSync(fd).size;
    if (size > maxBytes) throw makeError(`${what} ${file} has ${size} bytes, more than the ${maxBytes} it can hold; give the right file`);
    return readExactly(fd, size, 0, file, what, makeError);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Opens a regular file for reading (non-blocking open, fstat-checked); the caller closes the
 * descriptor. `noFollow` refuses a symlink as the last component (for a path already resolved
 * with realpath, so a link swapped in after the check is not followed).
 */
export function openRegularFile(file: string, what: string, makeError: MakeError, noFollow = false): number {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | (noFollow ? fs.constants.O_NOFOLLOW : 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw makeError(`${what} ${file} does not exist; check the path`);
    if (code === 'EACCES' || code === 'EPERM') throw makeError(`${what} ${file} cannot be read (permission denied); make it readable`);
    if (code === 'EISDIR') throw makeError(`${what} ${file} is a folder, not a file; give the path of the file itself`);
    if (code === 'ELOOP') throw makeError(`${what} ${file} is a symbolic link loop; give the real file`);
    throw makeError(`${what} ${file} cannot be opened (${code ?? (err as Error).message}); check the path`);
  }
  const kind = specialKind(fs.fstatSync(fd));
  if (kind) {
    fs.closeSync(fd);
    throw makeError(`${what} ${file} is ${kind}, not a regular file; give the path of a file`);
  }
  return fd;
}

/** Reads exactly `length` bytes at `offset`; a file that shrank under us is refused, not zero-filled. */
export function readExactly(fd: number, length: number, offset: number, file: string, what: string, makeError: MakeError): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, offset + done);
    if (n === 0) throw makeError(`${what} ${file} ended after ${done} of ${length} bytes (it changed while being read or is truncated); give a complete file`);
    done += n;
  }
  return buf;
}

/**
 * Creates `dir` and its missing parents, one level at a time. The walk is bounded by the number of
 * path components, and a level that cannot be created (read-only or virtual file systems such as
 * /proc, a file in the way, no permission) is refused in one sentence instead of retried.
 */
function makeDirectory(dir: string, what: string, makeError: MakeError): void {
  const target = path.resolve(dir);
  walkMakeDirectory(target, (err, at) => {
    if (err === 'not-a-folder') return makeError(`cannot create ${what} ${target}: ${at} exists and is not a folder; choose another path`);
    return makeError(`cannot create ${what} ${target} (${describeCode(err.code)} at ${at}); choose a writable folder`);
  });
  try {
    fs.accessSync(target, fs.constants.W_OK);
  } catch {
    throw makeError(`cannot write into ${what} ${target} (permission denied); choose a writable folder`);
  }
}

/** `makeDirectory` for a folder we write results into, refused with an `OutputPathError`. */
export function makeOutputDirectory(dir: string, what = 'the output folder'): void {
  makeDirectory(dir, what, (m) => new OutputPathError(m));
}

/**
 * The one folder-creation walk (makeDirectory here, makeFolder in atomic-file.ts): each missing
 * level is made in turn, not by mkdirSync's recursive mode, which never returns on some paths
 * (/proc/x). A file in the way or a level that cannot be made ends the walk with `fail`'s error.
 */
export function walkMakeDirectory(dir: string, fail: (err: 'not-a-folder' | NodeJS.ErrnoException, at: string) => unknown): void {
  const missing: string[] = [];
  let cur = path.resolve(dir);
  for (;;) {
    let st: fs.Stats | undefined;
    try { st = fs.statSync(cur); } catch { st = undefined; }
    if (st) {
      if (!st.isDirectory()) throw fail('not-a-folder', cur);
      break;
    }
    missing.push(cur);
    const parent = path.dirname(cur);
    if (parent === cur) break; // the root itself is missing: mkdir below reports why
    cur = parent;
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && fs.statSync(d).isDirectory()) continue; // made by someone else meanwhile
      throw fail(err as NodeJS.ErrnoException, d);
    }
  }
}

function describeCode(code: string | undefined): string {
  switch (code) {
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EROFS': return 'read-only file system';
    case 'ENOSPC': return 'the disk is full';
    case 'ENOENT': return 'this file system does not allow new folders';
    case 'ENOTDIR': return 'a file is in the way';
    default: return code ?? 'unknown error';
  }
}
