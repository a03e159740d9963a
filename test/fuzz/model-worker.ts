// Runs model mutants through the library loaders in a worker thread, so that the test can stop a
// hang (terminate works even inside a synchronous loop) and cap the heap. Posts one report per mutant.
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { buildArtifacts } from '../../src/autodiff/artifacts';
import { isUserError } from '../../src/core/errors';
import { Rng } from '../../src/core/rng';
import { loadModel } from '../../src/onnx/io';
import { mutateModel } from './mutate';

/** What the test sends. */
export interface ModelFuzzJob { readonly bases: readonly string[]; readonly baseDir: string; readonly seed: number; readonly count: number; readonly budgetMs: number }

/** What the worker sends back, one per mutant, then `{ done: true }`. */
export interface ModelFuzzReport { readonly i: number; readonly what: string; readonly outcome: 'accepted' | 'refused' | 'internal'; readonly message: string; readonly ms: number; readonly arrayBuffersMb: number }

const job = workerData as ModelFuzzJob;
const bases = job.bases.map((f) => fs.readFileSync(f));
const rng = new Rng(job.seed, 'model-fuzz');
const start = Date.now();
for (let i = 0; i < job.count && Date.now() - start < job.budgetMs; i++) {
  const base = bases[i % bases.length];
  const m = mutateModel(base, rng);
  const what = `${job.bases[i % bases.length]}: ${m.what}`;
  const t0 = Date.now();
  let outcome: ModelFuzzReport['outcome'] = 'accepted';
  let message = '';
  try {
    buildArtifacts(loadModel(m.bytes, { baseDir: job.baseDir }));
  } catch (e) {
    outcome = isUserError(e) ? 'refused' : 'internal';
    message = outcome === 'internal' ? `${(e as Error).stack ?? String(e)}` : (e as Error).message;
  }
  const report: ModelFuzzReport = { i, what, outcome, message, ms: Date.now() - t0, arrayBuffersMb: process.memoryUsage().arrayBuffers / 2 ** 20 };
  parentPort?.postMessage(report);
}
parentPort?.postMessage({ done: true });
