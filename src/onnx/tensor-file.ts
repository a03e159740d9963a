// The crsam tensor file (.ckpt): parameters, buffers, optimizer state and a JSON header.
//
// Layout (all little-endian):
//   bytes 0–7    magic "CRSAMCK1"
//   bytes 8–11   uint32 header length H
//   bytes 12…    H bytes of UTF-8 JSON: { "format": 1, "meta": {…},
//                "tensors": [{ "name", "group", "dtype": "float32"|"float64", "dims": [...], "offset", "length" }] }
//   then zero padding to a multiple of 64, then the data region; `offset` is in bytes from the
//   start of the data region (64-byte aligned), `length` in elements.
// Groups: "param" (trainable, by initializer name), "buffer" (BatchNorm running statistics), and
// any others the trainer adds (e.g. "optimizer"). Written atomically (temp file + rename).
import { CrsamError } from '../core/errors';
import * as fs from 'node:fs';
import { writeAtomic } from './io';
import { readRegularFile } from '../core/safe-fs';

const MAGIC = 'CRSAMCK1';

export interface StoredTensor {
  readonly name: string;
  readonly group: string;
  readonly dims: readonly number[];
  readonly data: Float32Array | Float64Array;
}

export interface TensorFile {
  readonly tensors: readonly StoredTensor[];
  /** Free-form JSON metadata (run config, step counters, RNG state...). */
  readonly meta: Record<string, unknown>;
}

export class CheckpointError extends CrsamError {
  override readonly name = 'CheckpointError';
}

export function encodeTensorFile(file: TensorFile): Uint8Array {
  let offset = 0;
  const entries = file.tensors.map((t) => {
    const e = { name: t.name, group: t.group, dtype: t.data instanceof Float64Array ? 'float64' : 'float32', dims: [...t.dims], offset, length: t.data.length };
    offset += align(t.data.byteLength);
    return e;
  });
  const header = Buffer.from(JSON.stringify({ format: 1, meta: file.meta, tensors: entries }), 'utf8');
  const start = align(12 + header.length);
  const out = Buffer.alloc(start + offset);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(header.length, 8);
  header.copy(out, 12);
  file.tensors.forEach((t, i) => {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), start + entries[i].offset);
  });
  return out;
}

export function decodeTensorFile(bytes: Uint8Array, label = 'the checkpoint'): TensorFile {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) throw new CheckpointError(`${label} is not a crsam checkpoint (wrong magic bytes)`);
  const hlen = buf.readUInt32LE(8);
  if (12 + hlen > buf.length) throw new CheckpointError(`${label} is truncated: its header needs ${12 + hlen} bytes, the file has ${buf.length}`);
  let header: { format: number; meta: Record<string, unknown>; tensors: { name: string; group: string; dtype: string; dims: number[]; offset: number; length: number }[] };
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + hlen)) as typeof header;
  } catch {
    throw new CheckpointError(`${label} has a corrupt header`);
  }
  if (header.format !== 1) throw new CheckpointError(`${label} has format ${header.format}; this crsam reads format 1`);
  const start = align(12 + hlen);
  const tensors = header.tensors.map((e) => {
    const size = e.dtype === 'float64' ? 8 : 4;
    const end = start + e.offset + e.length * size;
    if (end > buf.length) throw new CheckpointError(`${label} is truncated: tensor '${e.name}' needs bytes up to ${end}, the file has ${buf.length}`);
    const copy = buf.buffer.slice(buf.byteOffset + start + e.offset, buf.byteOffset + end);
    return { name: e.name, group: e.group, dims: e.dims, data: size === 8 ? new Float64Array(copy) : new Float32Array(copy) };
  });
  return { tensors, meta: header.meta ?? {} };
}

export function writeTensorFile(path: string, file: TensorFile): void {
  writeAtomic(path, encodeTensorFile(file));
}

export function readTensorFile(path: string): TensorFile {
  if (!fs.existsSync(path)) throw new CheckpointError(`${path} does not exist`);
  return decodeTensorFile(readRegularFile(path, 'the checkpoint', (m) => new CheckpointError(m)), path);
}

function align(n: number): number {
  return Math.ceil(n / 64) * 64;
}
