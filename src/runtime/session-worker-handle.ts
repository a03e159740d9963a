// The main thread's handle on one session worker (session-worker.ts), with the worker's own
// parameter and gradient memory (SharedArrayBuffer). The gradient oracle starts the workers its
// pass placement asks for, so independent passes (CR-SAM's w+e and w−e) or data-parallel replicas
// run on separate cores or devices at the same time:
// onnxruntime-node's run() blocks its thread, so two sessions on one thread would take turns.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { FromWorker, InitMessage, ToWorker } from './worker-protocol';
import { GraphLayout } from './graph-session';

/** What one pass in a worker gives back (the gradient is in the worker's `grad`). */
export interface WorkerPassResult {
  readonly loss: number;
  readonly buffers?: Map<string, Float32Array>;
  readonly logits?: Float32Array;
}

interface Pending { resolve: (r: WorkerPassResult) => void; reject: (e: Error) => void }

export class SessionWorker {
  readonly weights: Float32Array;
  readonly grad: Float32Array;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  private constructor(private readonly worker: Worker, weights: SharedArrayBuffer, grad: SharedArrayBuffer) {
    this.weights = new Float32Array(weights);
    this.grad = new Float32Array(grad);
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'done') { this.pending.get(m.id)?.resolve(m); this.pending.delete(m.id); }
      if (m.type === 'error') { this.pending.get(m.id)?.reject(new Error(m.message)); this.pending.delete(m.id); }
    });
    worker.on('error', (e) => { for (const p of this.pending.values()) p.reject(e); this.pending.clear(); });
  }

  static async start(modelBytes: Uint8Array, layout: GraphLayout, size: number, sessionOptions: InitMessage['sessionOptions']): Promise<SessionWorker> {
    const js = path.join(__dirname, 'session-worker.js');
    // Under ts-node/tsx (tests, scripts) the worker is the .ts file, loaded through tsx.
    const worker = fs.existsSync(js) ? new Worker(js) : new Worker(path.join(__dirname, 'session-worker.ts'), { execArgv: ['--require', 'tsx/cjs'] });
    const weights = new SharedArrayBuffer(size * 4);
    const grad = new SharedArrayBuffer(size * 4);
    const w = new SessionWorker(worker, weights, grad);
    await new Promise<void>((resolve, reject) => {
      const onMsg = (m: FromWorker) => {
        if (m.type === 'ready') { worker.off('message', onMsg); resolve(); }
        if (m.type === 'error' && m.id === -1) { worker.off('message', onMsg); reject(new Error(m.message)); }
      };
      worker.on('message', onMsg);
      worker.once('error', reject);
      const init: InitMessage = { type: 'init', modelBytes, sessionOptions, layout, weights, grad };
      worker.postMessage(init);
    });
    return w;
  }

  post(m: ToWorker): void {
    this.worker.postMessage(m);
  }

  run(buffers: ReadonlyMap<string, Float32Array>, wantBuffers: boolean, wantLogits = false): Promise<WorkerPassResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ type: 'run', id, buffers: new Map(buffers), wantBuffers, wantLogits });
    });
  }

  async close(): Promise<void> {
    this.post({ type: 'close' });
    await this.worker.terminate();
  }
}
