// Reads the exact-Hessian fixtures written by tools/make_exact_hessian_fixtures.py (PyTorch,
// float64: trace, ‖H‖²_F, every eigenvalue) and sets up an oracle on the same model and batch.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildArtifacts } from '../../src/autodiff/artifacts';
import { OrtGeometryOracle } from '../../src/geometry/ort-geometry-oracle';
import { loadModel } from '../../src/onnx/io';
import { fixturePath } from '../repo-root';

export const EXACT_FIXTURES = ['tanh-init', 'relu-init', 'cnn-bn', 'tanh-trained'] as const;

export interface ExactHessianDoc {
  readonly name: string;
  readonly inputDims: number[];
  readonly labels: number[];
  readonly buffers: Record<string, number[]>;
  readonly parameters: number;
  readonly loss: number;
  readonly gradNorm: number;
  readonly trace: number;
  readonly frobeniusSq: number;
  readonly lambdaMax: number;
  readonly lambdaMin: number;
  /** All eigenvalues, ascending. */
  readonly eigenvalues: number[];
}

export interface ExactHessianFixture {
  readonly doc: ExactHessianDoc;
  readonly oracle: OrtGeometryOracle;
  readonly weights: Float32Array;
}

export function loadExactHessianFixture(name: string): ExactHessianFixture {
  const dir = fixturePath('geometry', 'exact');
  const doc = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) as ExactHessianDoc;
  const bin = fs.readFileSync(path.join(dir, `${name}.bin`));
  const x = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  const artifacts = buildArtifacts(loadModel(path.join(dir, `${name}.onnx`)));
  const oracle = new OrtGeometryOracle(artifacts, { threads: 1 });
  oracle.setBuffers(new Map(Object.entries(doc.buffers).map(([k, v]) => [k, Float32Array.from(v)])));
  oracle.setBatches([{ inputs: { [artifacts.dataInputs[0].name]: { data: x, dims: doc.inputDims } }, labels: BigInt64Array.from(doc.labels, (l) => BigInt(l)) }]);
  return { doc, oracle, weights: oracle.initialWeights() };
}
