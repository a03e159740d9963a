// ‖∇L(w)‖ on a data set, two ways: the mean of per-batch gradient norms (what the CR-SAM
// authors' grad_norm reports, so Table 3 compares) and the norm of the full-batch (sample-weighted
// mean) gradient. One gradient pass per batch gives both.
import { GeometryOracle, allBatches } from './oracle';
import { axpy, norm } from '../optim/vector';

export interface GradientNormResult {
  /** Mean over batches of ‖g_B‖ (the paper's figure). */
  readonly mean: number;
  /** ‖g‖ of the whole set: the norm of the sample-weighted mean gradient (≤ `mean`). */
  readonly fullBatch: number;
  /** ‖g_B‖ of each batch. */
  readonly perBatch: readonly number[];
  /** Sample-weighted mean loss. */
  readonly loss: number;
  /** The full-batch gradient. */
  readonly gradient: Float32Array;
}

export async function gradientNorms(oracle: GeometryOracle, w: Float32Array, batches: readonly number[] = allBatches(oracle)): Promise<GradientNormResult> {
  const g = new Float32Array(oracle.size);
  const full = new Float32Array(oracle.size);
  const total = batches.reduce((s, i) => s + oracle.batchSamples(i), 0);
  const perBatch: number[] = [];
  let loss = 0;
  for (const i of batches) {
    const weight = oracle.batchSamples(i) / total;
    loss += weight * await oracle.gradient(w, g, [i]);
    perBatch.push(norm(g));
    axpy(full, weight, g);
  }
  return { mean: perBatch.reduce((a, b) => a + b, 0) / perBatch.length, fullBatch: norm(full), perBatch, loss, gradient: full };
}
