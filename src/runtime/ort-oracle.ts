// The GradientOracle the optimizers call, on ONNX Runtime: a main-thread session for single
// passes and, in parallel mode, worker sessions for passes that can run side by side.
import * as os from 'node:os';
import * as ort from 'onnxruntime-node';
import { EvalRequest, GradientOracle } from '../optim/types';
import { Batch } from './batch';
import { batchArrays } from './eval-session';
import { BatchArrays, GraphLayout, GraphSession } from './graph-session';
import { ParameterStore } from './parameter-store';
import { runTrainingPass } from './training-pass';
import { SessionWorker } from './session-worker-handle';

export type ParallelMode = 'auto' | 'off';

export interface OracleOptions {
  /** Session options of the main-thread session (threads, provider, optimization level). */
  readonly sessionOptions: ort.InferenceSession.SessionOptions;
  /** Run independent passes in worker threads ('auto': when there are ≥ 2 cores and the device is the CPU). Default: 'auto'. */
  readonly parallel?: ParallelMode;
  /** Total CPU threads to use; each of the 2 workers gets half. Default: all cores. */
  readonly threads?: number;
  readonly device?: 'cpu' | 'cuda' | 'webgpu';
}

export class OrtGradientOracle implements GradientOracle {
  private batch: BatchArrays = { data: {}, labels: new BigInt64Array(0) };
  private shared: { data: Record<string, SharedArrayBuffer>; labels: SharedArrayBuffer } | undefined;
  /** Class scores of the last single pass (the pass at w opens every step). */
  lastLogits: Float32Array | undefined;
  /** Passes run so far, by where they ran (for benchmarks and tests). */
  readonly counts = { main: 0, workers: 0 };

  private constructor(
    private readonly session: GraphSession,
    private readonly store: ParameterStore,
    private readonly workers: SessionWorker[],
  ) {}

  /** `layout`: the training graph's contract on the store's parameter layout. */
  static async create(modelBytes: Uint8Array, layout: GraphLayout, store: ParameterStore, options: OracleOptions): Promise<OrtGradientOracle> {
    const session = await GraphSession.create(modelBytes, options.sessionOptions, layout);
    const cores = options.threads ?? os.availableParallelism();
    const parallel = (options.parallel ?? 'auto') === 'auto' && cores >= 2 && (options.device ?? 'cpu') === 'cpu';
    const workers: SessionWorker[] = [];
    if (parallel) {
      const per = Math.max(1, Math.floor(cores / 2));
      // The workers' sessions are configured exactly as the main one, on half the threads each.
      const workerOptions = { ...options.sessionOptions, intraOpNumThreads: per };
      workers.push(...(await Promise.all([0, 1].map(() => SessionWorker.start(modelBytes, layout, store.size, workerOptions)))));
    }
    return new OrtGradientOracle(session, store, workers);
  }

  get parallel(): boolean {
    return this.workers.length > 0;
  }

  /** Sets the mini-batch every following pass runs on (call once per step, already validated). */
  setBatch(batch: Batch): void {
    this.batch = batchArrays(batch);
    const labels = this.batch.labels;
    if (!this.workers.length) return;
    // Workers read the batch from shared memory; grow it when a larger batch comes.
    const sh = this.shared ?? { data: {}, labels: new SharedArrayBuffer(0) };
    const msgData: Record<string, { buffer: SharedArrayBuffer; dims: readonly number[] }> = {};
    for (const [name, t] of Object.entries(this.batch.data)) {
      if (!sh.data[name] || sh.data[name].byteLength < t.data.byteLength) sh.data[name] = new SharedArrayBuffer(t.data.byteLength);
      new Float32Array(sh.data[name], 0, t.data.length).set(t.data);
      msgData[name] = { buffer: sh.data[name], dims: [...t.dims] };
    }
    if (sh.labels.byteLength < labels.byteLength) sh.labels = new SharedArrayBuffer(labels.byteLength);
    new BigInt64Array(sh.labels, 0, labels.length).set(labels);
    this.shared = sh;
    for (const w of this.workers) w.post({ type: 'batch', data: msgData, labels: sh.labels, count: labels.length });
  }

  async evaluate(requests: readonly EvalRequest[]): Promise<number[]> {
    // Every pass of one call reads the buffers as they were at the call's start, in either mode,
    // so parallel and sequential runs give the same numbers; updates apply in request order.
    const snapshot = new Map([...this.store.buffers].map(([k, v]) => [k, Float32Array.from(v)]));
    let results: { loss: number; buffers?: Map<string, Float32Array> }[];
    if (this.workers.length && requests.length >= 2) {
      results = await Promise.all(requests.map((r, i) => this.onWorker(this.workers[i % this.workers.length], r, snapshot)));
    } else {
      results = [];
      for (const r of requests) {
        const out = await runTrainingPass(this.session, { ...this.batch, weights: r.weights, buffers: snapshot }, r.gradOut, requests.length === 1);
        this.counts.main++;
        results.push(out);
        if (requests.length === 1) this.lastLogits = out.logits;
      }
    }
    requests.forEach((r, i) => {
      const b = results[i].buffers;
      if (r.updateBuffers && b) for (const [name, v] of b) this.store.buffers.get(name)?.set(v);
    });
    return results.map((r) => r.loss);
  }

  private async onWorker(w: SessionWorker, r: EvalRequest, buffers: Map<string, Float32Array>): Promise<{ loss: number; buffers?: Map<string, Float32Array> }> {
    w.weights.set(r.weights);
    const out = await w.run(buffers, r.updateBuffers);
    r.gradOut.set(w.grad);
    this.counts.workers++;
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await this.session.release();
  }
}
