// Training-mode BatchNormalization lowered to standard inference-build ops: batch statistics by
// reductions, normalization by an inference-mode BatchNormalization fed those statistics. Stock
// ONNX Runtime builds need no training kernels this way, and the running-statistic update follows
// PyTorch (unbiased variance, n/(n−1)), which ONNX's own training_mode output does not.
import { GraphBuilder } from '../../onnx/builder';
import { DataType } from '../../onnx/dtype';
import { BatchStats, attrFloat, Node, Shape } from '../../onnx/ir';
import { attr } from '../../onnx/attr';

/** Most float32 terms per partial sum of the batch statistics (measured: ≤ 1.1e-7 relative variance error at 1024). */
const PARTIAL_SUM_TERMS = 64;

export interface LoweredBatchNorm {
  /** Updated running mean and variance, keyed by the running-statistic initializer names. */
  readonly updates: Map<string, string>;
}

/** Replaces `node` (in place in b.graph's node list) by its training-mode lowering. */
export function lowerTrainingBatchNorm(b: GraphBuilder, node: Node): LoweredBatchNorm {
  const [x, scale, bias, runMean, runVar] = node.inputs;
  const eps = attrFloat(node, 'epsilon', 1e-5);
  const momentum = attrFloat(node, 'momentum', 0.9);
  const channels = b.shape(x)?.[1];
  if (typeof channels !== 'number') throw new Error(`BatchNormalization node '${node.name}' needs a known channel count`);
  const start = b.graph.nodes.length;
  const { centered, mean, variance, count } = batchStatistics(b, x, channels, node.name);
  const yOut = node.outputs[0];
  const bnOpts = b.opset >= 14 ? { epsilon: attr.float(eps), training_mode: attr.int(0) } : { epsilon: attr.float(eps) };
  b.node('BatchNormalization', [x, scale, bias, mean, variance], bnOpts, { outputNames: [yOut], name: node.name });
  const lowered = b.graph.nodes[b.graph.nodes.length - 1];
  lowered.meta = { batchStats: { centered, mean, variance, count, epsilon: eps } satisfies BatchStats };
  // Running statistics, PyTorch style: m·old + (1−m)·batch, with the unbiased variance.
  const updates = new Map<string, string>();
  if (runMean && runVar) {
    const m = b.scalar(momentum);
    const oneMinus = b.scalar(1 - momentum);
    const unbias = b.op('Div', [count, b.op('Sub', [count, b.scalar(1)])]);
    updates.set(runMean, b.op('Add', [b.op('Mul', [runMean, m]), b.op('Mul', [mean, oneMinus])], {}, `${runMean}_updated`));
    updates.set(runVar, b.op('Add', [b.op('Mul', [runVar, m]), b.op('Mul', [b.op('Mul', [variance, unbias]), oneMinus])], {}, `${runVar}_updated`));
  }
  for (const n of b.graph.nodes.slice(start)) if (n !== lowered) n.meta = { ...n.meta, noGrad: true };
  return { updates };
}

/**
 * Batch mean and biased variance of x over all axes but 1, correct to float32 rounding: a float32
 * mean m₀, then c = x − m₀ cast to float64, mean = m₀ + mean(c) and var = mean(c²) − mean(c)², both
 * float64 sums (the correction mean(c) is tiny, so nothing cancels).
 *
 * Why (tools/bn-precision.ts: x ~ N(0.2, 0.5²), γ ~ 1 ± 0.1, β ~ ±0.1, onnxruntime-node 1.30 CPU;
 * max errors against float64; PyTorch 1.13 float32's own error, F.batch_norm on data of the same
 * distribution, seeds 0 and 1, beside):
 *   N×C×H×W      variance rel. error              output abs. error
 *                RSS f32  Mul+Mean f32  this      RSS f32  Mul+Mean f32  this     PyTorch f32
 *   8×16×32×32   2.5e-6   1.0e-7        5.8e-8    4.9e-6   5.3e-7        5.3e-7   4.4–5.6e-7
 *   128×16×32×32 2.9e-5   2.6e-7        6.5e-8    7.3e-5   8.5e-7        7.5e-7   6.4–7.1e-7
 *   32×64×8×8    2.2e-6   2.5e-7        6.6e-8    4.0e-6   8.2e-7        6.5e-7   4.5–5.6e-7
 *   128×64×8×8   3.9e-6   4.3e-7        6.6e-8    6.5e-6   1.1e-6        6.3e-7   5.7–5.9e-7
 * The former one-pass float32 ReduceSumSquare over N·H·W lost the precision (ORT's ReduceMean
 * keeps ~1e-7 there, its ReduceSumSquare does not); a float32 ReduceMean of a squared tensor fixes
 * most of it but still drifts with N·H·W. What remains is the inference BatchNormalization's own
 * rounding (x·a + b, two roundings; the float32 optimum is 2.4e-7): a float64 output path reaches
 * that optimum but needs three more full passes and a float64 backward, so it was not taken.
 * Cost on a ResNet-20 (zoo) training step, forward + backward, batch 32, CPU time of one intra-op
 * thread (the machine was shared, load ≈ 25 on 2 cores), 30 interleaved repetitions: median of the
 * paired ratios to the former lowering 0.998 (Mul+Mean f32: 0.968), single pairs 0.75–1.24, so
 * the cost is within ±3 % (no difference resolved); minima 261 vs 269 ms.
 *
 * Round 2 (2026-12-02, tools/bench-bn.ts: BN forward + backward alone, ResNet-20 shapes at N = 128,
 * one intra-op thread, CPU time, 30 interleaved rounds, median of paired ratios to the full-tensor
 * float64 sums above, load ≈ 10–12 on 2 cores): the float64 sums now run over float32 partial sums
 * of at most PARTIAL_SUM_TERMS trailing spatial elements, so only a [N, C, H] (or [N, C]) tensor is
 * cast instead of the whole of x − m₀ (the Cast alone was 5 of 26 ms at 16×32×32).
 *   16×32×32 (sums over W) 0.89–0.93, 32×16×16 (W) 0.93–0.95, 64×8×8 (H·W) 0.91; variance errors
 *   identical to the full float64 sums (6.5e-8 / 6.8e-8 / 6.6e-8), gradients bit-identical.
 * Partial sums over all of H·W (1024 terms at 32×32) were slightly cheaper (0.86 / 0.93 / 0.91)
 * but less precise (variance 9.6e-8 / 1.1e-7; test/autodiff/bn-precision worst ratio 1.49 of the
 * 1.5 allowed, against 1.20 now): not taken. Whole ResNet-20 forward + backward (2 threads, batch
 * 128, 12 rounds, load ≈ 10–11): paired ratio 0.994 CPU, 0.997 wall — BN is 24 % of the pass and
 * this saves ~8 % of it, below what the noise resolves.
 * Also measured, not taken (same bench, ratios to the full float64 sums): the sum of squares as a
 * batched MatMul over H·W 1.2–1.5; x − m₀ by an inference BatchNormalization instead of Sub 0.90 /
 * 0.93 / 0.96 (≈ the partial sums alone, no gain resolved).
 */
function batchStatistics(b: GraphBuilder, x: string, channels: number, name: string): { centered: string; mean: string; variance: string; count: string } {
  const rank = b.rank(x);
  const axes = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)];
  const toDouble = (v: string) => b.op('Cast', [v], { to: attr.int(DataType.DOUBLE) });
  const toFloat = (v: string) => b.op('Cast', [v], { to: attr.int(DataType.FLOAT) });
  const meanKd = b.reduce('ReduceMean', x, axes, true, `${name}_mean0`);
  const centered = b.op('Sub', [x, meanKd], {}, `${name}_centered`);
  const size = b.op('Cast', [b.op('Size', [x])], { to: attr.int(DataType.FLOAT) });
  const count = b.op('Div', [size, b.scalar(channels)], {}, `${name}_count`);
  const spatial = partialAxes(b.shape(x), rank);
  let shift: string;
  let meanSq: string;
  if (spatial.length === 0) {
    const c64 = toDouble(centered);
    shift = b.reduce('ReduceMean', c64, axes, false, `${name}_shift`);
    meanSq = b.op('Div', [b.reduce('ReduceSumSquare', c64, axes, false), toDouble(count)]);
  } else {
    // float32 partial sums over the trailing spatial axes, float64 over the rest
    const rest = axes.filter((a) => !spatial.includes(a)).map((a) => a - spatial.filter((s) => s < a).length);
    const n64 = toDouble(count);
    const sum64 = (v: string) => b.op('Div', [b.reduce('ReduceSum', toDouble(v), rest, false), n64]);
    shift = sum64(b.reduce('ReduceSum', centered, spatial, false));
    meanSq = sum64(b.reduce('ReduceSumSquare', centered, spatial, false));
  }
  const mean = toFloat(b.op('Add', [toDouble(b.reshape(meanKd, [channels])), shift]));
  const variance = toFloat(b.op('Sub', [meanSq, b.op('Mul', [shift, shift])]));
  return { centered, mean, variance, count };
}

/** Trailing spatial axes whose product stays ≤ 1024 (float32 sums stay exact enough there); [] if unknown. */
function partialAxes(shape: Shape | undefined, rank: number): number[] {
  const out: number[] = [];
  let size = 1;
  for (let a = rank - 1; a >= 2; a--) {
    const d = shape?.[a];
    if (typeof d !== 'number' || size * d > PARTIAL_SUM_TERMS) break;
    size *= d;
    out.unshift(a);
  }
  return out;
}

/** Replaces BatchNormalization by its inference form reading the running statistics. */
export function inferenceBatchNorm(b: GraphBuilder, node: Node): void {
  const eps = attrFloat(node, 'epsilon', 1e-5);
  const opts = b.opset >= 14 ? { epsilon: attr.float(eps), training_mode: attr.int(0) } : { epsilon: attr.float(eps) };
  b.node('BatchNormalization', node.inputs.slice(0, 5), opts, { outputNames: [node.outputs[0]], name: node.name });
}
