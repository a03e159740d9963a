// Reads one model folder written by tools/torchvision_sweep.py (manifest.json + data.bin + model.onnx):
// the batch, PyTorch's float64 gradients (the truth) and PyTorch float32's own error.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SweepManifest {
  readonly model: string;
  readonly opset: number;
  readonly inputKind: 'image' | 'tokens';
  readonly inputShape: number[];
  readonly numClasses: number;
  readonly params: string[];
  readonly opTypes: string[];
  readonly tensors: Record<string, { dtype: 'float32' | 'float64' | 'int64'; dims: number[]; offset: number; length: number }>;
  readonly scalars: {
    loss64: number; loss32: number; torch32GradErr: number; torch32LossErr: number;
    kinkNear: number; kinkCrossed32: number; kinkValues: number; numParams: number;
  };
}

export interface SweepFixture {
  readonly dir: string;
  readonly modelPath: string;
  readonly manifest: SweepManifest;
  /** The tensor under `key` as stored (Float32Array, Float64Array or BigInt64Array). */
  tensor(key: string): { data: Float32Array | Float64Array | BigInt64Array; dims: number[] };
}

export function loadSweepFixture(dir: string): SweepFixture {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as SweepManifest;
  const bin = fs.readFileSync(path.join(dir, 'data.bin'));
  return {
    dir,
    modelPath: path.join(dir, 'model.onnx'),
    manifest,
    tensor: (key) => {
      const t = manifest.tensors[key];
      if (!t) throw new Error(`sweep fixture ${dir} has no tensor ${key}`);
      const size = t.dtype === 'float32' ? 4 : 8;
      const buf = bin.buffer.slice(bin.byteOffset + t.offset, bin.byteOffset + t.offset + t.length * size);
      const data = t.dtype === 'float32' ? new Float32Array(buf) : t.dtype === 'float64' ? new Float64Array(buf) : new BigInt64Array(buf);
      return { data, dims: t.dims };
    },
  };
}
