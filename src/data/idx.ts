// Reader for the IDX format of LeCun's MNIST files (also used by Fashion-MNIST, EMNIST, KMNIST):
// bytes 0-1 are zero, byte 2 the element type, byte 3 the number of dimensions, then one
// big-endian uint32 per dimension, then the elements, big-endian, row-major. Gzipped files (as
// downloaded) are decompressed transparently, so users need not gunzip them.
import * as buffer from 'node:buffer';
import * as zlib from 'node:zlib';
import { readRegularFile } from '../core/safe-fs';
import { DataError } from './errors';
import { tensorSize } from '../onnx/ir';

/** Element types IDX can hold, named after the typed array they load into. */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** Typed array holding IDX elements (converted to the machine's byte order). */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX file. */
export interface IdxArray {
  readonly type: IdxType;
  /** Dimension sizes, outermost first (for MNIST images: [count, rows, cols]). */
  readonly dims: readonly number[];
  /** Elements in row-major order; length is the product of `dims`. */
  readonly data: IdxData;
}

const TYPES: Record<number, { type: IdxType; size: number }> = {
  0x08: { type: 'uint8', size: 1 },
  0x09: { type: 'int8', size: 1 },
  0x0b: { type: 'int16', size: 2 },
  0x0c: { type: 'int32', size: 4 },
  0x0d: { type: 'float32', size: 4 },
  0x0e: { type: 'float64', size: 8 },
};

const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`;

/**
 * Decodes IDX bytes. `label` names the source in error messages (a path, usually).
 * A `uint8` result is a view on `bytes` (no copy).
 */
export function parseIdx(bytes: Uint8Array, label: string): IdxArray {
  if (bytes.length < 4) throw new DataError(`${label} is truncated: expected at least 4 bytes of IDX header, found ${bytes.length}`);
  const code = bytes[2];
  const ndims = bytes[3];
  const spec = TYPES[code];
  if (bytes[0] !== 0 || bytes[1] !== 0 || !spec || ndims === 0) {
    throw new DataError(`${label} is not an IDX file: its magic number is ${[0, 1, 2, 3].map((i) => hex(bytes[i])).join(' ')}, expected 0x00 0x00, a type code (0x08 for bytes) and a dimension count`);
  }
  const headerSize = 4 + 4 * ndims;
  if (bytes.length < headerSize) throw new DataError(`${label} is truncated: expected at least ${headerSize} bytes of IDX header, found ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < ndims; d++) {
    dims.push(view.getUint32(4 + 4 * d, false));
    count *= dims[d];
  }
  const expected = headerSize + count * spec.size;
  if (bytes.length < expected) throw new DataError(`${label} is truncated: expected ${expected} bytes for dimensions ${dims.join('×')}, found ${bytes.length}`);
  if (bytes.length > expected) throw new DataError(`${label} is longer than its header says: expected ${expected} bytes for dimensions ${dims.join('×')}, found ${bytes.length}`);
  return { type: spec.type, dims, data: decode(spec.type, view, headerSize, count, bytes) };
}

function decode(type: IdxType, view: DataView, offset: number, n: number, bytes: Uint8Array): IdxData {
  switch (type) {
    case 'uint8': return bytes.subarray(offset, offset + n);
    case 'int8': return new Int8Array(bytes.buffer, bytes.byteOffset + offset, n);
    case 'int16': { const a = new Int16Array(n); for (let i = 0; i < n; i++) a[i] = view.getInt16(offset + 2 * i, false); return a; }
    case 'int32': { const a = new Int32Array(n); for (let i = 0; i < n; i++) a[i] = view.getInt32(offset + 4 * i, false); return a; }
    case 'float32': { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = view.getFloat32(offset + 4 * i, false); return a; }
    case 'float64': { const a = new Float64Array(n); for (let i = 0; i < n; i++) a[i] = view.getFloat64(offset + 8 * i, false); return a; }
  }
}

/** Reads and decodes an IDX file, gunzipping it first when it is gzip data. Special files are refused. */
export function readIdx(file: string): IdxArray {
  const bytes = readRegularFile(file, 'the IDX file', (m) => new DataError(m));
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return parseIdx(gunzipIdx(bytes, file), file);
  return parseIdx(bytes, file);
}

/** Largest gzip prefix inflated to find the IDX header (a gzip header can carry a long file name). */
const MAX_HEADER_PREFIX = 1 << 14;

/**
 * Gunzips an IDX file without ever holding more than its header declares: the header is read from
 * the inflated start of the stream, and the whole file is then inflated with that size (plus one
 * byte, to detect a longer file) as the output limit. A 13 MB gzip bomb thus stops at its declared
 * size instead of growing to gigabytes.
 */
function gunzipIdx(gz: Uint8Array, file: string): Uint8Array {
  const expected = declaredGzipSize(gz, file);
  if (expected > buffer.constants.MAX_LENGTH) {
    throw new DataError(`${file} declares ${expected} bytes of IDX data, more than one file can hold; give the right file`);
  }
  try {
    return zlib.gunzipSync(gz, { maxOutputLength: Math.min(expected + 1, buffer.constants.MAX_LENGTH) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DataError(`${file} is longer than its header says: expected ${expected} bytes once unzipped, found more`);
    }
    throw new DataError(`${file} is a damaged or truncated gzip file: expected a complete gzipped IDX file`);
  }
}

/** Total unzipped size the IDX header at the start of the gzip stream declares. */
function declaredGzipSize(gz: Uint8Array, file: string): number {
  for (let prefix = 1024; ; prefix *= 4) {
    const part = gz.subarray(0, Math.min(prefix, gz.length));
    let head: Uint8Array;
    try {
      // A sync flush inflates a cut stream as far as it goes; ≤ ~1000× the prefix, so bounded.
      head = zlib.gunzipSync(part, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch {
      throw new DataError(`${file} is a damaged or truncated gzip file: expected a complete gzipped IDX file`);
    }
    const size = headerDeclaredSize(head, file);
    if (size !== undefined) return size;
    if (part.length === gz.length || prefix >= MAX_HEADER_PREFIX) {
      throw new DataError(`${file} is a damaged or truncated gzip file: its start does not unzip to an IDX header`);
    }
  }
}

/** headerSize + count × element size from the first bytes of an IDX file; undefined if they are too few. */
function headerDeclaredSize(bytes: Uint8Array, label: string): number | undefined {
  if (bytes.length < 4) return undefined;
  const spec = TYPES[bytes[2]];
  const ndims = bytes[3];
  const headerSize = 4 + 4 * ndims;
  if (bytes[0] !== 0 || bytes[1] !== 0 || !spec || ndims === 0) parseIdx(bytes.subarray(0, 4), label); // names the bad magic
  if (bytes.length < headerSize) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let count = 1;
  for (let d = 0; d < ndims; d++) count *= view.getUint32(4 + 4 * d, false);
  return headerSize + count * spec.size;
}

/** Encodes bytes as an IDX uint8 file (used for caches; the inverse of `parseIdx`). */
export function encodeIdxUint8(dims: readonly number[], data: Uint8Array): Uint8Array {
  const count = tensorSize(dims);
  if (count !== data.length) throw new RangeError(`IDX dims ${dims.join('×')} hold ${count} elements, data has ${data.length}`);
  if (dims.length < 1 || dims.length > 255) throw new RangeError('IDX needs 1 to 255 dimensions');
  const headerSize = 4 + 4 * dims.length;
  const out = new Uint8Array(headerSize + count);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, headerSize);
  return out;
}
