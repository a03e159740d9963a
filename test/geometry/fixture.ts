// Reads the geometry references written by tools/geometry_reference.py and sets up an oracle on
// the same model, running statistics and batches.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildArtifacts } from '../../src/autodiff/artifacts';
import { OrtGeometryOracle } from '../../src/geometry/ort-geometry-oracle';
import { loadModel } from '../../src/onnx/io';
import { Batch } from '../../src/runtime/batch';
import { loadTorchFixture } from '../torch-fixture';

export interface GeometryFixture {
  readonly model: string;
  readonly params: string[];
  readonly sizes: number[];
  readonly buffers: string[];
  readonly batches: { key: string; labels: string; count: number }[];
  readonly loss: number;
  readonly gradNormMean: number;
  readonly gradNormFull: number;
  readonly gradNormsPerBatch: number[];
  readonly trace: { maxIter: number; tol: number; probes: number; vhv: number[]; trace: number };
  readonly eigen: { topK: number; maxIter: number; tol: number; eigenvalues: number[]; iterations: number[] };
  readonly tensors: Record<string, { dtype: 'f32' | 'u8'; offset: number; length: number }>;
}

export interface LoadedGeometryFixture {
  readonly doc: GeometryFixture;
  readonly oracle: OrtGeometryOracle;
  readonly weights: Float32Array;
  /** A fixture vector (manifest parameter order) in the oracle's order. */
  toOracle(flat: Float32Array): Float32Array;
  f32(key: string): Float32Array;
  /** Rademacher probe i as ±1 in the oracle's order. */
  probe(i: number): Float32Array;
}

export function loadGeometryFixture(name: string): LoadedGeometryFixture {
  // From test/geometry under tsx, or from dist/test/geometry when compiled.
  const compiled = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'geometry');
  const dir = fs.existsSync(compiled) ? compiled : path.join(__dirname, '..', 'fixtures', 'geometry');
  const doc = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) as GeometryFixture;
  const bin = fs.readFileSync(path.join(dir, `${name}.bin`));
  const raw = (key: string) => {
    const t = doc.tensors[key];
    if (!t) throw new Error(`geometry fixture ${name} has no tensor ${key}`);
    return { t, bytes: bin.subarray(t.offset, t.offset + t.length * (t.dtype === 'f32' ? 4 : 1)) };
  };
  const f32 = (key: string) => { const { bytes } = raw(key); return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)); };
  const torch = loadTorchFixture(name);
  const artifacts = buildArtifacts(loadModel(torch.modelPath));
  const oracle = new OrtGeometryOracle(artifacts, { threads: 2 });
  oracle.setBuffers(new Map(doc.buffers.map((b) => [b, f32(`buffers/${b}`)])));
  const batches: Batch[] = doc.batches.map((b) => {
    const x = torch.f32(b.key);
    const per = x.data.length / x.dims[0];
    return { inputs: { [artifacts.dataInputs[0].name]: { data: x.data.slice(0, b.count * per), dims: [b.count, ...x.dims.slice(1)] } }, labels: torch.i64(b.labels).data.slice(0, b.count) };
  });
  oracle.setBatches(batches);
  const toOracle = (flat: Float32Array) => {
    let offset = 0;
    const byName = new Map(doc.params.map((p, i) => { const v = flat.subarray(offset, offset + doc.sizes[i]); offset += doc.sizes[i]; return [p, v]; }));
    return oracle.flatten(byName);
  };
  const total = doc.sizes.reduce((a, b) => a + b, 0);
  const perProbe = Math.ceil(total / 8);
  const packed = raw('probes').bytes;
  const probe = (i: number) => {
    const v = new Float32Array(total);
    for (let k = 0; k < total; k++) v[k] = (packed[i * perProbe + (k >> 3)] >> (k & 7)) & 1 ? 1 : -1;
    return toOracle(v);
  };
  return { doc, oracle, weights: oracle.initialWeights(), toOracle, f32, probe };
}
