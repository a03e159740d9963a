// Reads the gradient-parity fixtures of tools/zoo_reference.py (test/fixtures/zoo/<name>.json + .bin)
// and runs one training step of our training graph on onnxruntime-node.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { TrainingArtifacts } from '../../src/autodiff/artifacts';
import { serializeModel } from '../../src/onnx/io';
import { repoRoot } from '../repo-root';

export { repoRoot };

export const FIXTURES = path.join(repoRoot(), 'test', 'fixtures', 'zoo');

interface TensorEntry {
  readonly dtype: 'float32' | 'int64';
  readonly dims: number[];
  readonly offset: number;
  readonly length: number;
}

export interface ParityManifest {
  readonly format: number;
  readonly model: string;
  readonly family: string;
  readonly options: Record<string, unknown>;
  readonly loss: number;
  readonly params: string[];
  readonly buffers: string[];
  readonly tensors: Record<string, TensorEntry>;
}

export class ParityFixture {
  readonly manifest: ParityManifest;
  private readonly bin: Buffer;

  constructor(readonly name: string) {
    this.manifest = JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as ParityManifest;
    this.bin = fs.readFileSync(path.join(FIXTURES, `${name}.bin`));
  }

  private entry(key: string, dtype: TensorEntry['dtype']): TensorEntry {
    const e = this.manifest.tensors[key];
    if (!e) throw new Error(`fixture ${this.name} has no tensor '${key}'`);
    if (e.dtype !== dtype) throw new Error(`fixture tensor '${key}' is ${e.dtype}, not ${dtype}`);
    return e;
  }

  /** A copy (so it is aligned) of a float32 tensor. */
  f32(key: string): { data: Float32Array; dims: number[] } {
    const e = this.entry(key, 'float32');
    const bytes = Uint8Array.prototype.slice.call(this.bin, e.offset, e.offset + 4 * e.length);
    return { data: new Float32Array(bytes.buffer, 0, e.length), dims: e.dims };
  }

  i64(key: string): { data: BigInt64Array; dims: number[] } {
    const e = this.entry(key, 'int64');
    const bytes = Uint8Array.prototype.slice.call(this.bin, e.offset, e.offset + 8 * e.length);
    return { data: new BigInt64Array(bytes.buffer, 0, e.length), dims: e.dims };
  }
}

/** ‖a − b‖ / ‖b‖ (or ‖a‖ when b is zero). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let d = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] - b[i]) ** 2;
    n += b[i] ** 2;
  }
  return n === 0 ? Math.sqrt(d) : Math.sqrt(d / n);
}

/** Runs training_model on one batch with the initial weights; returns every output by name. */
export async function runTrainingStep(art: TrainingArtifacts, input: { data: Float32Array; dims: number[] }, labels: { data: BigInt64Array; dims: number[] }): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(serializeModel(art.trainingModel));
  try {
    const feeds: Record<string, ort.Tensor> = {
      [art.dataInputs[0].name]: new ort.Tensor('float32', input.data, input.dims),
      labels: new ort.Tensor('int64', labels.data, labels.dims),
    };
    for (const p of [...art.params, ...art.buffers]) feeds[p.name] = new ort.Tensor('float32', art.initialValues.get(p.name) as Float32Array, [...p.dims]);
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}
