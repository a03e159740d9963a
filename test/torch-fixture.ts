// Reads the PyTorch fixtures written by tools/make_torch_fixtures.py (manifest.json + data.bin).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixturePath } from './repo-root';

export interface TorchFixture {
  readonly dir: string;
  readonly modelPath: string;
  readonly manifest: {
    params: string[];
    buffers: string[];
    scalars: Record<string, number | number[]>;
    config: Record<string, number | string>;
    tensors: Record<string, { dtype: string; dims: number[]; offset: number; length: number }>;
  };
  f32(key: string): { data: Float32Array; dims: number[] };
  i64(key: string): { data: BigInt64Array; dims: number[] };
  /** float64 tensors (the float64 truths of tools/make_rnn_fixtures.py). */
  f64(key: string): { data: Float64Array; dims: number[] };
  has(key: string): boolean;
}

export function loadTorchFixture(name: string): TorchFixture {
  const base = fixturePath('torch', name);
  const manifest = JSON.parse(fs.readFileSync(path.join(base, 'manifest.json'), 'utf8')) as TorchFixture['manifest'];
  const bin = fs.readFileSync(path.join(base, 'data.bin'));
  const slice = (key: string, size: number) => {
    const t = manifest.tensors[key];
    if (!t) throw new Error(`fixture ${name} has no tensor ${key}`);
    return { buf: bin.buffer.slice(bin.byteOffset + t.offset, bin.byteOffset + t.offset + t.length * size), dims: t.dims };
  };
  return {
    dir: base,
    modelPath: path.join(base, 'model.onnx'),
    manifest,
    f32: (key) => { const s = slice(key, 4); return { data: new Float32Array(s.buf), dims: s.dims }; },
    i64: (key) => { const s = slice(key, 8); return { data: new BigInt64Array(s.buf), dims: s.dims }; },
    f64: (key) => { const s = slice(key, 8); return { data: new Float64Array(s.buf), dims: s.dims }; },
    has: (key) => key in manifest.tensors,
  };
}
