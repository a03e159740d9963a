// A batch split across data-parallel replicas, and the reductions that make the replicas' results
// the full batch's (docs/scale-out.md). The training loss is the mean over the batch, so the
// full-batch gradient is Σ_r (n_r/n)·g_r: weighting by shard size keeps an uneven split exact.
import { BatchArrays } from './graph-session';
import { tensorSize } from '../onnx/ir';

/** Sizes of `replicas` contiguous shards of `n` samples: equal, the first n mod replicas one larger (0 when n < replicas). */
export function shardSizes(n: number, replicas: number): number[] {
  const base = Math.floor(n / replicas);
  return Array.from({ length: replicas }, (_, r) => base + (r < n % replicas ? 1 : 0));
}

/** Where each shard starts, in samples. */
export function shardStarts(sizes: readonly number[]): number[] {
  let at = 0;
  return sizes.map((s) => { const start = at; at += s; return start; });
}

/** Shard `r` of a batch as views (no copies) of its sample range. */
export function shardArrays(batch: BatchArrays, start: number, count: number): BatchArrays {
  const data: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
  for (const [name, t] of Object.entries(batch.data)) {
    const per = tensorSize(t.dims.slice(1));
    data[name] = { data: t.data.subarray(start * per, (start + count) * per), dims: [count, ...t.dims.slice(1)] };
  }
  return { data, labels: batch.labels.subarray(start, start + count) };
}

/** out = Σ_r weights[r]·parts[r], summed in float64 and rounded to float32 once. */
export function weightedSum(out: Float32Array, parts: readonly Float32Array[], weights: readonly number[]): void {
  const n = out.length;
  if (parts.length === 2) {
    // The common case (two replicas) without the inner loop.
    const [a, b] = parts;
    const [ca, cb] = weights;
    for (let i = 0; i < n; i++) out[i] = ca * a[i] + cb * b[i];
    return;
  }
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let r = 0; r < parts.length; r++) s += weights[r] * parts[r][i];
    out[i] = s;
  }
}
