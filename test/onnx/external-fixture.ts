// Model files whose external data points outside their folder, for the confinement tests of the
// library and of the CLI. The outside file holds a recognizable secret, so a test can check that
// its bytes never reach anything crsam writes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { DataType } from '../../src/onnx/dtype';
import { Model } from '../../src/onnx/ir';
import { ONNX_PROTO } from '../../src/onnx/onnx-schema';
import { loadModel, saveModel } from '../../src/onnx/io';

const ModelProto = protobuf.parse(ONNX_PROTO, { keepCase: true }).root.lookupType('onnx.ModelProto');

/** A 20 → 30 MatMul model (2400 bytes of weights), enough to go external at threshold 100. */
export function tinyModel(): Model {
  const w = Float32Array.from({ length: 600 }, (_, i) => Math.sin(i));
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'test', producerVersion: '1', domain: '', modelVersion: 1, docString: '', metadataProps: new Map(),
    graph: {
      name: 'g', valueInfo: new Map(),
      inputs: [{ name: 'x', dtype: DataType.FLOAT, shape: ['N', 20] }],
      outputs: [{ name: 'y', dtype: DataType.FLOAT, shape: ['N', 30] }],
      initializers: new Map([['w', { name: 'w', dtype: DataType.FLOAT, dims: [20, 30], data: w }]]),
      nodes: [{ opType: 'MatMul', domain: '', name: 'mm', inputs: ['x', 'w'], outputs: ['y'], attributes: new Map() }],
    },
  };
}

interface KV { key: string; value: string }
/** An initializer as protobufjs sees it (bytes as arrays of numbers). */
export interface TensorObj { name: string; dims: number[]; data_type: number; raw_data?: number[]; external_data?: KV[] }

/** Re-encodes a model after `patch` edited its initializers at the protobuf level (no checks on the way). */
export function rewriteTensors(bytes: Uint8Array, patch: (t: TensorObj) => void): Uint8Array {
  const obj = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, bytes: Array }) as { graph: { initializer: TensorObj[] } };
  obj.graph.initializer.forEach(patch);
  return ModelProto.encode(ModelProto.fromObject(obj)).finish();
}

/** Re-encodes a model, letting `patch` edit each external tensor's key/values (and return new dims). */
export function rewriteExternal(bytes: Uint8Array, patch: (kv: Map<string, string>, dims: number[]) => number[] | void): Uint8Array {
  return rewriteTensors(bytes, (t) => {
    if (!t.external_data?.length) return;
    const kv = new Map(t.external_data.map((e) => [e.key, e.value]));
    const dims = patch(kv, t.dims);
    if (dims) t.dims = dims;
    t.external_data = [...kv].map(([key, value]) => ({ key, value }));
  });
}

export type EscapeKind = 'dotdot' | 'absolute' | 'symlink' | 'symlinked-folder';

export interface EscapeFixture {
  /** The model file (in `<root>/model/`). */
  readonly model: string;
  /** The outside file the model points at (in `<root>/outside/`). */
  readonly secret: string;
  /** Bytes of the secret file. */
  readonly secretBytes: Buffer;
  /** The location string written in the model. */
  readonly location: string;
}

/**
 * Writes `<root>/model/model.onnx` whose weights live, by `kind`, at ../outside/secret.bin, at its
 * absolute path, behind a symlink in the model folder, or in a symlinked subfolder. `base` is the
 * model to use (default: `tinyModel()`); the secret has exactly the size of its largest tensor.
 */
export function escapeFixture(root: string, kind: EscapeKind, base: Model | string = tinyModel()): EscapeFixture {
  const dir = path.join(root, 'model');
  const outside = path.join(root, 'outside');
  fs.mkdirSync(outside, { recursive: true });
  const model = path.join(dir, 'model.onnx');
  saveModel(typeof base === 'string' ? loadModel(base) : base, model, { externalData: 'weights.bin', externalDataThreshold: 100 });
  const weights = fs.readFileSync(path.join(dir, 'weights.bin'));
  // The secret: a text pattern as long as the real data file, so every offset/length still fits.
  const pattern = Buffer.from('TOP-SECRET-0123456789-');
  const secretBytes = Buffer.alloc(weights.length, pattern);
  const secret = path.join(outside, 'secret.bin');
  fs.writeFileSync(secret, secretBytes);
  fs.rmSync(path.join(dir, 'weights.bin'));
  let location: string;
  switch (kind) {
    case 'dotdot': location = '../outside/secret.bin'; break;
    case 'absolute': location = secret; break;
    case 'symlink': location = 'weights.bin'; fs.symlinkSync(secret, path.join(dir, 'weights.bin')); break;
    case 'symlinked-folder': location = 'sub/secret.bin'; fs.symlinkSync(outside, path.join(dir, 'sub')); break;
  }
  fs.writeFileSync(model, rewriteExternal(fs.readFileSync(model), (kv) => { kv.set('location', location); }));
  return { model, secret, secretBytes, location };
}
