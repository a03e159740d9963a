// Reading a tensor's external data, confined to the model's folder. A model file is untrusted
// input: its `location` could name /etc/passwd, ../../secret or a symlink out of the folder, and
// the bytes read would end up in the artifacts and checkpoints we write. ONNX Runtime refuses such
// paths ("External data path escapes model directory"); so do we, after resolving symlinks, and we
// check offset and length against the file and the tensor's declared size before allocating.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openRegularFile, readExactly } from '../core/safe-fs';
import { OnnxFormatError } from './errors';

/** The external_data entries of one tensor, and what the caller knows about it. */
export interface ExternalRef {
  /** The tensor's name, for messages. */
  readonly tensor: string;
  /** key → value of TensorProto.external_data. */
  readonly info: ReadonlyMap<string, string>;
  /** Bytes the tensor's dims and element type need. */
  readonly expectedBytes: number;
}

const fail = (message: string): OnnxFormatError => new OnnxFormatError(message);

/** Reads the bytes of one external tensor from a file inside `baseDir` (the model's folder). */
export function readExternalData(ref: ExternalRef, baseDir: string, label: string): Uint8Array {
  const location = ref.info.get('location');
  if (!location) throw fail(`${label}: tensor '${ref.tensor}' is stored externally but names no location; re-export the model with its data file`);
  const file = confinedPath(ref.tensor, location, baseDir, label);
  const offset = byteCount(ref, 'offset', label) ?? 0;
  const declared = byteCount(ref, 'length', label);
  if (declared !== undefined && declared !== ref.expectedBytes) {
    throw fail(`${label}: tensor '${ref.tensor}' declares ${declared} bytes of external data but its dims and type need ${ref.expectedBytes}; the model is corrupt`);
  }
  const what = `the external data file of tensor '${ref.tensor}'`;
  const fd = openRegularFile(file, what, fail, true);
  try {
    const size = fs.fstatSync(fd).size;
    if (offset + ref.expectedBytes > size) {
      throw fail(`the external data file ${file} is truncated: tensor '${ref.tensor}' needs bytes ${offset}..${offset + ref.expectedBytes} but the file has ${size}`);
    }
    return readExactly(fd, ref.expectedBytes, offset, file, what, fail);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The real path of `location` if it lies inside the real path of `baseDir`; refuses absolute
 * locations, `..` escapes and symlinks (of the file or of any folder on the way) leading out.
 */
function confinedPath(tensor: string, location: string, baseDir: string, label: string): string {
  const refuse = (why: string): never => {
    throw fail(`${label}: tensor '${tensor}' has its external data at '${location}', ${why}; crsam reads external data only from files inside the model's folder`);
  };
  if (location.includes('\0')) refuse('which is not a valid path');
  if (path.isAbsolute(location) || path.win32.isAbsolute(location)) refuse('an absolute path');
  let realBase: string;
  try {
    realBase = fs.realpathSync(baseDir);
  } catch {
    throw fail(`${label}: the folder ${baseDir} that holds its external data does not exist; keep the data next to the model`);
  }
  const lexical = path.resolve(realBase, location);
  if (!inside(realBase, lexical)) refuse('which is outside the model\'s folder');
  let real: string;
  try {
    real = fs.realpathSync(lexical);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') refuse('a symbolic link loop');
    throw fail(`${label}: the external data file ${lexical} of tensor '${tensor}' is missing; keep it next to the model`);
  }
  if (!inside(realBase, real)) refuse(`which leads (through a symbolic link) to ${real}, outside the model's folder`);
  return real;
}

/** True when `p` is strictly below `dir` (both absolute, normalized). */
function inside(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/** A non-negative integer entry of external_data (offset or length); undefined when absent. */
function byteCount(ref: ExternalRef, key: string, label: string): number | undefined {
  const v = ref.info.get(key);
  if (v === undefined) return undefined;
  const n = /^\d{1,16}$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!Number.isSafeInteger(n)) throw fail(`${label}: tensor '${ref.tensor}' has external data ${key} '${v}', which is not a byte count; the model is corrupt`);
  return n;
}
