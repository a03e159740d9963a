// Failures of the machine rather than of crsam (a full disk, a folder without permission, a
// read-only mount) that reach the CLI from a plain Node call, as one sentence instead of an
// "internal error". Writes of kept files already say this themselves (core/atomic-file.ts).

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device; free some space and try again',
  EDQUOT: 'the disk quota is exhausted; free some space and try again',
  EACCES: 'permission denied; choose a path you can read and write',
  EPERM: 'the operation is not permitted; choose a path you can read and write',
  EROFS: 'the file system is read-only; choose another folder',
  EMFILE: 'too many files are open; close other programs or raise the limit (ulimit -n)',
  EIO: 'an input/output error (a failing disk?); check the disk',
};

/** One sentence for a Node file-system error with a known cause, undefined for anything else. */
export function fileSystemSentence(e: unknown): string | undefined {
  const err = e as { code?: unknown; path?: unknown; syscall?: unknown };
  if (typeof err.code !== 'string' || !(err.code in REASONS)) return undefined;
  const where = typeof err.path === 'string' ? ` (${typeof err.syscall === 'string' ? `${err.syscall} ` : ''}${err.path})` : '';
  return `${REASONS[err.code].replace(';', `${where};`)}`;
}
