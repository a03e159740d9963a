// Runs eval_model.onnx through the session layer: loss and class scores with BatchNorm on running
// statistics.
import * as ort from 'onnxruntime-node';
import { ValueInfo } from '../onnx/ir';
import { Batch, asTensorLike, countCorrect, validateBatch } from './batch';
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

export class EvalSession {
  private constructor(private readonly session: GraphSession, private readonly dataInputs: readonly ValueInfo[]) {}

  static async create(bytes: Uint8Array, options: ort.InferenceSession.SessionOptions, layout: GraphLayout, dataInputs: readonly ValueInfo[]): Promise<EvalSession> {
    return new EvalSession(await GraphSession.create(bytes, options, layout), dataInputs);
  }

  async evaluate(batches: Iterable<Batch> | AsyncIterable<Batch>, store: ParameterStore, numClasses: number): Promise<EvalResult> {
    let lossSum = 0;
    let correct = 0;
    let count = 0;
    for await (const batch of batches) {
      const n = validateBatch(batch, this.dataInputs, numClasses);
      const r = await this.session.run({ batch: batchArrays(batch), weights: store.flat, buffers: store.buffers }, (out) => {
        const logits = out.logits();
        return { loss: out.loss(), correct: countCorrect(logits.data, batch.labels, logits.classes) };
      });
      lossSum += r.loss * n;
      correct += r.correct;
      count += n;
    }
    return { loss: count ? lossSum / count : NaN, accuracy: count ? correct / count : NaN, count };
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
