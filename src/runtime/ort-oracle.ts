// The GradientOracle the optimizers call, on ONNX Runtime. It follows a pass placement
// (pass-placement.ts): a main-thread session and worker sessions, each pass of each data-parallel
// replica on the session of its slot; the replicas' losses, gradients and BatchNorm statistics are
// averaged, weighted by shard size, into the full batch's before the optimizer sees them.
import * as ort from 'onnxruntime-node';
import { EvalRequest, GradientOracle } from '../optim/types';
import { Batch } from './batch';
import { batchArrays } from './eval-session';
import { BatchArrays, GraphLayout, GraphSession } from './graph-session';
import { ParameterStore } from './parameter-store';
import { PassId, PassPlacement, planSessionOptions, SessionName } from './pass-placement';
import { shardArrays, shardSizes, shardStarts, weightedSum } from './replica-batch';
import { runTrainingPass } from './training-pass';
import { SessionWorker } from './session-worker-handle';

export interface OracleOptions {
  /** Session options of the trainer (threads, provider, optimization level); each session's are derived from them by the plan. */
  readonly sessionOptions: ort.InferenceSession.SessionOptions;
  /** Where each pass of each replica runs (`placePasses`). */
  readonly placement: PassPlacement;
}

interface PassOutcome { readonly loss: number; readonly buffers?: Map<string, Float32Array>; readonly logits?: Float32Array }

interface Task { readonly replica: number; readonly request: number; readonly pass: PassId; readonly gradOut: Float32Array }

/** The pass of request `i` of a call of `k`: its tag, else by position (w alone, or w+e then w−e). */
function passOf(r: EvalRequest, i: number, k: number): PassId {
  return r.pass ?? (k >= 2 ? (i === 0 ? 'w+e' : 'w-e') : 'w');
}

export class OrtGradientOracle implements GradientOracle {
  private shards: BatchArrays[] = [];
  private weights: number[] = [];
  private shared: { data: Record<string, SharedArrayBuffer>; labels: SharedArrayBuffer } | undefined;
  /** Per replica and request slot, where a replica's gradient goes before the average (data parallel only). */
  private readonly scratch: Float32Array[][] = [];
  /** Class scores of the last pass at w, all shards in batch order. */
  lastLogits: Float32Array | undefined;
  /** Passes run so far, by where they ran (for benchmarks and tests). */
  readonly counts = { main: 0, workers: 0 };

  private constructor(
    private readonly session: GraphSession,
    private readonly store: ParameterStore,
    private readonly workers: SessionWorker[],
    readonly placement: PassPlacement,
    /** The options each training session was created with, main first (for tests and logs). */
    readonly sessionOptions: readonly { readonly session: SessionName; readonly options: ort.InferenceSession.SessionOptions }[],
  ) {}

  /** `layout`: the training graph's contract on the store's parameter layout. */
  static async create(modelBytes: Uint8Array, layout: GraphLayout, store: ParameterStore, options: OracleOptions): Promise<OrtGradientOracle> {
    const plan = options.placement;
    const all = planSessionOptions(plan, options.sessionOptions);
    const session = await GraphSession.create(modelBytes, all[0].options, layout);
    const started = await Promise.allSettled(all.slice(1).map((s) => SessionWorker.start(modelBytes, layout, store.size, s.options)));
    const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(workers.map((w) => w.close()));
      await session.release();
      throw failed.reason;
    }
    return new OrtGradientOracle(session, store, workers, plan, all);
  }

  /** Whether passes or replicas run side by side in worker sessions. */
  get parallel(): boolean {
    return this.placement.concurrent;
  }

  /** Sets the mini-batch every following pass runs on (call once per step, already validated). */
  setBatch(batch: Batch): void {
    const full = batchArrays(batch);
    const n = full.labels.length;
    const sizes = shardSizes(n, this.placement.replicas);
    const starts = shardStarts(sizes);
    this.shards = sizes.map((s, r) => (this.placement.replicas === 1 ? full : shardArrays(full, starts[r], s)));
    this.weights = sizes.map((s) => s / n);
    if (!this.workers.length) return;
    // Workers read the batch from shared memory; grow it when a larger batch comes.
    const sh = this.shared ?? { data: {}, labels: new SharedArrayBuffer(0) };
    for (const [name, t] of Object.entries(full.data)) {
      if (!sh.data[name] || sh.data[name].byteLength < t.data.byteLength) sh.data[name] = new SharedArrayBuffer(t.data.byteLength);
      new Float32Array(sh.data[name], 0, t.data.length).set(t.data);
    }
    if (sh.labels.byteLength < full.labels.byteLength) sh.labels = new SharedArrayBuffer(full.labels.byteLength);
    new BigInt64Array(sh.labels, 0, n).set(full.labels);
    this.shared = sh;
    this.workers.forEach((w, k) => {
      const r = this.replicaOf(`worker${k}`);
      if (sizes[r] === 0) return;
      const data = Object.fromEntries(Object.entries(full.data).map(([name, t]) => [name, { buffer: sh.data[name], dims: [sizes[r], ...t.dims.slice(1)] }]));
      w.post({ type: 'batch', data, labels: sh.labels, start: starts[r], count: sizes[r] });
    });
  }

  async evaluate(requests: readonly EvalRequest[]): Promise<number[]> {
    // Every pass of one call reads the buffers as they were at the call's start, wherever it runs,
    // so parallel and sequential runs give the same numbers; updates apply in request order.
    const snapshot = new Map([...this.store.buffers].map(([k, v]) => [k, Float32Array.from(v)]));
    const active = this.weights.flatMap((c, r) => (c > 0 ? [r] : []));
    const direct = active.length === 1;
    const tasks = new Map<SessionName, Task[]>();
    for (const r of active) {
      requests.forEach((req, i) => {
        const pass = passOf(req, i, requests.length);
        const gradOut = direct ? req.gradOut : this.scratchFor(r, i);
        const session = this.slotSession(r, pass);
        tasks.set(session, [...(tasks.get(session) ?? []), { replica: r, request: i, pass, gradOut }]);
      });
    }
    // Workers first: their messages are posted before the main session's run holds this thread.
    const order = [...tasks.keys()].sort((a, b) => (a === 'main' ? 1 : 0) - (b === 'main' ? 1 : 0));
    const outcomes = new Map<string, PassOutcome>();
    await Promise.all(order.map(async (session) => {
      for (const t of tasks.get(session) ?? []) outcomes.set(`${t.replica}:${t.request}`, await this.runTask(session, t, requests[t.request], snapshot));
    }));
    const get = (r: number, i: number) => outcomes.get(`${r}:${i}`) as PassOutcome;
    const losses = requests.map((req, i) => {
      if (!direct) weightedSum(req.gradOut, active.map((r) => this.scratch[r][i]), active.map((r) => this.weights[r]));
      return active.reduce((s, r) => s + this.weights[r] * get(r, i).loss, 0);
    });
    requests.forEach((req, i) => {
      if (req.updateBuffers) this.applyBuffers(active.map((r) => get(r, i).buffers), active.map((r) => this.weights[r]));
      if (passOf(req, i, requests.length) === 'w') this.lastLogits = concat(active.map((r) => get(r, i).logits));
    });
    return losses;
  }

  private async runTask(session: SessionName, t: Task, req: EvalRequest, snapshot: Map<string, Float32Array>): Promise<PassOutcome> {
    const wantLogits = t.pass === 'w';
    if (session === 'main') {
      const out = await runTrainingPass(this.session, { ...this.shards[t.replica], weights: req.weights, buffers: snapshot }, t.gradOut, wantLogits);
      this.counts.main++;
      return out;
    }
    const w = this.workers[Number(session.slice('worker'.length))];
    w.weights.set(req.weights);
    const out = await w.run(snapshot, req.updateBuffers, wantLogits);
    t.gradOut.set(w.grad);
    this.counts.workers++;
    return out;
  }

  /** New running statistics: the replicas' (each from its own shard), averaged by shard size. */
  private applyBuffers(parts: readonly (Map<string, Float32Array> | undefined)[], weights: readonly number[]): void {
    for (const [name, target] of this.store.buffers) {
      const values = parts.map((p) => p?.get(name));
      if (values.some((v) => v === undefined)) continue;
      if (values.length === 1) target.set(values[0] as Float32Array);
      else weightedSum(target, values as Float32Array[], weights);
    }
  }

  private slotSession(replica: number, pass: PassId): SessionName {
    const slot = this.placement.slots.find((s) => s.replica === replica && s.pass === pass);
    return slot ? slot.session : 'main';
  }

  private replicaOf(session: SessionName): number {
    return this.placement.slots.find((s) => s.session === session)?.replica ?? 0;
  }

  private scratchFor(replica: number, request: number): Float32Array {
    const row = (this.scratch[replica] ??= []);
    return (row[request] ??= new Float32Array(this.store.size));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await this.session.release();
  }
}

function concat(parts: readonly (Float32Array | undefined)[]): Float32Array | undefined {
  if (parts.some((p) => p === undefined)) return undefined;
  if (parts.length === 1) return parts[0];
  const out = new Float32Array(parts.reduce((s, p) => s + (p as Float32Array).length, 0));
  let at = 0;
  for (const p of parts as Float32Array[]) { out.set(p, at); at += p.length; }
  return out;
}
