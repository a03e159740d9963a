// Runs eval_model.onnx: loss and class scores with BatchNorm on running statistics.
import * as ort from 'onnxruntime-node';
import { ValueInfo } from '../onnx/ir';
import { Batch, asTensorLike, countCorrect, validateBatch } from './batch';
import { ParameterStore } from './parameter-store';

export interface EvalResult {
  /** Mean cross-entropy over all samples. */
  readonly loss: number;
  /** Fraction of samples whose top class is the label. */
  readonly accuracy: number;
  readonly count: number;
}

export class EvalSession {
  private constructor(private readonly session: ort.InferenceSession, private readonly dataInputs: readonly ValueInfo[]) {}

  static async create(bytes: Uint8Array, options: ort.InferenceSession.SessionOptions, dataInputs: readonly ValueInfo[]): Promise<EvalSession> {
    return new EvalSession(await ort.InferenceSession.create(bytes, options), dataInputs);
  }

  /** Loss and logits of one batch. */
  async run(batch: Batch, store: ParameterStore): Promise<{ loss: number; logits: Float32Array; classes: number }> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(batch.inputs)) { const x = asTensorLike(t, name); feeds[name] = new ort.Tensor('float32', x.data, [...x.dims]); }
    feeds.labels = new ort.Tensor('int64', batch.labels, [batch.labels.length]);
    for (const [name, v] of store.named()) feeds[name] = new ort.Tensor('float32', v, [...(store.views.find((x) => x.name === name)?.dims ?? [v.length])]);
    for (const spec of store.bufferSpecs) feeds[spec.name] = new ort.Tensor('float32', store.buffers.get(spec.name) as Float32Array, [...spec.dims]);
    const out = await this.session.run(feeds);
    const logitsName = this.session.outputNames[1];
    const logits = out[logitsName];
    return { loss: Number(out.loss.data[0]), logits: logits.data as Float32Array, classes: logits.dims[1] };
  }

  async evaluate(batches: Iterable<Batch> | AsyncIterable<Batch>, store: ParameterStore, numClasses: number): Promise<EvalResult> {
    let lossSum = 0;
    let correct = 0;
    let count = 0;
    for await (const batch of batches) {
      const n = validateBatch(batch, this.dataInputs, numClasses);
      const r = await this.run(batch, store);
      lossSum += r.loss * n;
      correct += countCorrect(r.logits, batch.labels, r.classes);
      count += n;
    }
    return { loss: count ? lossSum / count : NaN, accuracy: count ? correct / count : NaN, count };
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
