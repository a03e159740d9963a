// A mini-batch as the runtime takes it, and its validation against the model's inputs.
import { CrsamError } from '../core/errors';
import * as ort from 'onnxruntime-node';
import { ValueInfo, tensorSize } from '../onnx/ir';

export interface TensorLike {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export interface Batch {
  /** The model's data inputs by name (one for image classifiers). */
  readonly inputs: Readonly<Record<string, ort.Tensor | TensorLike>>;
  /** Class indices, one per sample. */
  readonly labels: BigInt64Array;
}

export class BatchError extends CrsamError {
  override readonly name = 'BatchError';
}

export function asTensorLike(t: ort.Tensor | TensorLike, name: string): TensorLike {
  if (t instanceof ort.Tensor) {
    if (t.type !== 'float32') throw new BatchError(`input '${name}' must be float32, not ${t.type}`);
    return { data: t.data as Float32Array, dims: t.dims };
  }
  return t as TensorLike;
}

/** Checks a batch against the model's inputs and class count; returns N. One sentence per problem. */
export function validateBatch(batch: Batch, dataInputs: readonly ValueInfo[], numClasses: number): number {
  let n = -1;
  for (const vi of dataInputs) {
    const raw = batch.inputs[vi.name];
    if (!raw) throw new BatchError(`the batch has no input '${vi.name}' (the model's inputs: ${dataInputs.map((v) => v.name).join(', ')})`);
    const t = asTensorLike(raw, vi.name);
    const size = tensorSize(t.dims);
    if (size !== t.data.length) throw new BatchError(`input '${vi.name}' has ${t.data.length} values but dims [${t.dims.join(', ')}]`);
    const want = vi.shape;
    if (want) {
      const ok = want.length === t.dims.length && want.every((d, i) => typeof d !== 'number' || d === t.dims[i]);
      if (!ok) throw new BatchError(`input '${vi.name}' has shape [${t.dims.join(', ')}] but the model takes [${want.map((d) => d ?? '?').join(', ')}]`);
    }
    n = t.dims[0];
  }
  if (batch.labels.length !== n) throw new BatchError(`the batch has ${n} samples but ${batch.labels.length} labels`);
  for (let i = 0; i < batch.labels.length; i++) {
    const y = batch.labels[i];
    if (y < 0n || y >= BigInt(numClasses)) throw new BatchError(`label ${y} at position ${i} is outside the model's ${numClasses} classes (0…${numClasses - 1})`);
  }
  return n;
}

/** Samples whose highest class score is their label. */
export function countCorrect(logits: Float32Array, labels: BigInt64Array, classes: number): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    if (BigInt(best) === labels[i]) correct++;
  }
  return correct;
}
