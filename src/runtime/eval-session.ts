// Runs eval_model.onnx through the session layer: loss and class scores with BatchNorm on running
// statistics.
import * as ort from 'onnxruntime-node';
import { ValueInfo } from '../onnx/ir';
import { Batch, TensorLike, asTensorLike, countCorrect, validateBatch } from './batch';
import { BatchArrays, GraphLayout, GraphSession } from './graph-session';
import { ParameterStore } from './parameter-store';

export interface EvalResult {
  /** Mean cross-entropy over all samples. */
  readonly loss: number;
  /** Fraction of samples whose top class is the label. */
  readonly accuracy: number;
  readonly count: number;
}

/** A batch's inputs as plain arrays (no copies). */
export function batchArrays(batch: Batch): BatchArrays {
  const data: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
  for (const [name, t] of Object.entries(batch.inputs)) data[name] = asTensorLike(t, name);
  return { data, labels: batch.labels };
}

/**
 * A short batch (the last of a test set whose size is not a multiple of the batch) padded to a
 * fixed-batch model's batch by repeating its last sample. In inference mode (BatchNorm on running
 * statistics) samples do not interact, so the real rows' scores and losses are those of an
 * unpadded run; the evaluation counts only the real rows. Batches of a dynamic-batch model, and
 * full ones, are returned as they are.
 */
export function padToFixedBatch(batch: Batch, dataInputs: readonly ValueInfo[]): Batch {
  const fixed = dataInputs[0]?.shape?.[0];
  const n = batch.labels.length;
  if (typeof fixed !== 'number' || n >= fixed || n === 0) return batch;
  const inputs: Record<string, TensorLike> = {};
  for (const [name, t] of Object.entries(batch.inputs)) {
    const { data, dims } = asTensorLike(t, name);
    const row = data.length / dims[0];
    const padded = new Float32Array(row * fixed);
    padded.set(data);
    for (let i = dims[0]; i < fixed; i++) padded.copyWithin(i * row, (dims[0] - 1) * row, dims[0] * row);
    inputs[name] = { data: padded, dims: [fixed, ...dims.slice(1)] };
  }
  const labels = new BigInt64Array(fixed).fill(batch.labels[n - 1]);
  labels.set(batch.labels);
  return { inputs, labels };
}

export class EvalSession {
  private constructor(private readonly session: GraphSession, private readonly dataInputs: readonly ValueInfo[]) {}

  static async create(bytes: Uint8Array, options: ort.InferenceSession.SessionOptions, layout: GraphLayout, dataInputs: readonly ValueInfo[]): Promise<EvalSession> {
    return new EvalSession(await GraphSession.create(bytes, options, layout), dataInputs);
  }

  async evaluate(batches: Iterable<Batch> | AsyncIterable<Batch>, store: ParameterStore, numClasses: number): Promise<EvalResult> {
    let lossSum = 0;
    let correct = 0;
    let count = 0;
    for await (const real of batches) {
      const batch = padToFixedBatch(real, this.dataInputs);
      validateBatch(batch, this.dataInputs, numClasses);
      // Only the real samples count: a padded batch's extra rows are copies, left out of both sums.
      const n = real.labels.length;
      const r = await this.session.run({ batch: batchArrays(batch), weights: store.flat, buffers: store.buffers }, (out) => {
        const logits = out.logits();
        const losses = out.sampleLosses();
        let sum = 0;
        for (let i = 0; i < n; i++) sum += losses[i];
        return { lossSum: sum, correct: countCorrect(logits.data, real.labels, logits.classes) };
      });
      lossSum += r.lossSum;
      correct += r.correct;
      count += n;
    }
    return { loss: count ? lossSum / count : NaN, accuracy: count ? correct / count : NaN, count };
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
