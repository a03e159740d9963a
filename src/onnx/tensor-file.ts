// The crsam tensor file (.ckpt): parameters, buffers, optimizer state and a JSON header.
//
// Layout (all little-endian):
//   bytes 0–7    magic "CRSAMCK1"
//   bytes 8–11   uint32 header length H
//   bytes 12…    H bytes of UTF-8 JSON: { "format": 1, "meta": {…},
//                "metaSha256", "tensors": [{ "name", "group", "dtype": "float32"|"float64", "dims": [...],
//                "offset", "length", "sha256" }] }
//   then zero padding to a multiple of 64, then the data region; `offset` is in bytes from the
//   start of the data region (64-byte aligned), `length` in elements.
// Format 2 adds the checksums: SHA-256 of each tensor's bytes and of the meta's JSON, verified on
// every load, so a flipped bit or a torn copy is refused, never trained on. Format 1 files (from
// before the checksums) still load, unverified.
// Groups: "param" (trainable, by initializer name), "buffer" (BatchNorm running statistics), and
// any others the trainer adds (e.g. "optimizer"). Written atomically (core/atomic-file.ts).
import { CrsamError } from '../core/errors';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { writeFileAtomic } from '../core/atomic-file';
import { readRegularFile } from '../core/safe-fs';
import { toBytes } from './dtype';
import { tensorSize } from './ir';

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
  /** The file's format when read: 2 (checksums verified) or 1 (older, nothing to verify). */
  readonly format?: number;
}

/** The newest format this crsam writes. */
const TENSOR_FILE_FORMAT = 2;

interface Entry { name: string; group: string; dtype: string; dims: number[]; offset: number; length: number; sha256?: string }

export class CheckpointError extends CrsamError {
  override readonly name = 'CheckpointError';
}

export function encodeTensorFile(file: TensorFile): Uint8Array {
  let offset = 0;
  const entries = file.tensors.map((t) => {
    const e: Entry = { name: t.name, group: t.group, dtype: t.data instanceof Float64Array ? 'float64' : 'float32', dims: [...t.dims], offset, length: t.data.length, sha256: sha256(toBytes(t.data)) };
    offset += align(t.data.byteLength);
    return e;
  });
  const metaJson = JSON.stringify(file.meta);
  const header = Buffer.from(`{"format":${TENSOR_FILE_FORMAT},"metaSha256":"${sha256(Buffer.from(metaJson, 'utf8'))}","meta":${metaJson},"tensors":${JSON.stringify(entries)}}`, 'utf8');
  const start = align(12 + header.length);
  const out = Buffer.alloc(start + offset);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(header.length, 8);
  header.copy(out, 12);
  file.tensors.forEach((t, i) => {
    out.set(toBytes(t.data), start + entries[i].offset);
  });
  return out;
}

export function decodeTensorFile(bytes: Uint8Array, label = 'the checkpoint'): TensorFile {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) throw new CheckpointError(`${label} is not a crsam checkpoint (wrong magic bytes)`);
  const hlen = buf.readUInt32LE(8);
  if (12 + hlen > buf.length) throw new CheckpointError(`${label} is truncated: its header needs ${12 + hlen} bytes, the file has ${buf.length}`);
  let header: { format?: unknown; metaSha256?: unknown; meta?: unknown; tensors?: unknown };
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + hlen)) as typeof header;
  } catch {
    throw new CheckpointError(`${label} has a corrupt header`);
  }
  if (!header || typeof header !== 'object') throw new CheckpointError(`${label} has a corrupt header`);
  if (header.format !== 1 && header.format !== 2) throw new CheckpointError(`${label} has format ${String(header.format)}; this crsam reads formats 1 and 2, so it was written by a newer crsam or is damaged`);
  const meta = header.meta ?? {};
  if (typeof meta !== 'object' || Array.isArray(meta) || !Array.isArray(header.tensors)) throw new CheckpointError(`${label} has a corrupt header`);
  const verify = header.format === 2;
  if (verify && header.metaSha256 !== sha256(Buffer.from(JSON.stringify(meta), 'utf8'))) {
    throw new CheckpointError(`${label} is damaged: the checksum of its settings does not match; use another checkpoint (e.g. best.ckpt) or start again`);
  }
  const start = align(12 + hlen);
  const tensors = (header.tensors as unknown[]).map((raw) => {
    const e = checkEntry(raw, label);
    const size = e.dtype === 'float64' ? 8 : 4;
    const end = start + e.offset + e.length * size;
    if (end > buf.length) throw new CheckpointError(`${label} is truncated: tensor '${e.name}' needs bytes up to ${end}, the file has ${buf.length}`);
    const copy = buf.buffer.slice(buf.byteOffset + start + e.offset, buf.byteOffset + end);
    if (verify && e.sha256 !== sha256(new Uint8Array(copy))) {
      throw new CheckpointError(`${label} is damaged: tensor '${e.name}' does not match its checksum; use another checkpoint (e.g. best.ckpt) or start again`);
    }
    return { name: e.name, group: e.group, dims: e.dims, data: size === 8 ? new Float64Array(copy) : new Float32Array(copy) };
  });
  return { tensors, meta: meta as Record<string, unknown>, format: header.format };
}

function checkEntry(raw: unknown, label: string): Entry {
  const e = raw as Partial<Entry> | null;
  const nat = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (!e || typeof e.name !== 'string' || typeof e.group !== 'string' || (e.dtype !== 'float32' && e.dtype !== 'float64')
    || !nat(e.offset) || !nat(e.length) || !Array.isArray(e.dims) || !e.dims.every(nat)
    || tensorSize(e.dims) !== e.length) {
    throw new CheckpointError(`${label} has a corrupt header (a tensor entry is malformed)`);
  }
  return e as Entry;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function writeTensorFile(path: string, file: TensorFile): void {
  writeFileAtomic(path, encodeTensorFile(file));
}

export function readTensorFile(path: string): TensorFile {
  if (!fs.existsSync(path)) throw new CheckpointError(`${path} does not exist`);
  return decodeTensorFile(readRegularFile(path, 'the checkpoint', (m) => new CheckpointError(m)), path);
}

function align(n: number): number {
  return Math.ceil(n / 64) * 64;
}
