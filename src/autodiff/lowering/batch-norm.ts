// Training-mode BatchNormalization lowered to standard inference-build ops: batch statistics by
// ReduceMean, normalization by an inference-mode BatchNormalization fed those statistics. Stock
// ONNX Runtime builds need no training kernels this way, and the running-statistic update follows
// PyTorch (unbiased variance, n/(n−1)), which ONNX's own training_mode output does not.
import { GraphBuilder } from '../../onnx/builder';
import { DataType } from '../../onnx/dtype';
import { attrFloat, Node } from '../../onnx/ir';

export interface BatchStats {
  /** x − mean, kept for the backward pass. */
  readonly centered: string;
  /** Batch mean and biased variance, [C]. */
  readonly mean: string;
  readonly variance: string;
  /** Elements per channel (N·spatial) as a float scalar. */
  readonly count: string;
  readonly epsilon: number;
}

export interface LoweredBatchNorm {
  /** Updated running mean and variance, keyed by the running-statistic initializer names. */
  readonly updates: Map<string, string>;
}

/** Replaces `node` (in place in b.graph's node list) by its training-mode lowering. */
export function lowerTrainingBatchNorm(b: GraphBuilder, node: Node): LoweredBatchNorm {
  const [x, scale, bias, runMean, runVar] = node.inputs;
  const rank = b.rank(x);
  const axes = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)];
  const eps = attrFloat(node, 'epsilon', 1e-5);
  const momentum = attrFloat(node, 'momentum', 0.9);
  const channels = b.shape(x)?.[1];
  if (typeof channels !== 'number') throw new Error(`BatchNormalization node '${node.name}' needs a known channel count`);
  const start = b.graph.nodes.length;
  const meanKd = b.reduce('ReduceMean', x, axes, true, `${node.name}_mean`);
  const centered = b.op('Sub', [x, meanKd], {}, `${node.name}_centered`);
  const mean = b.reshape(meanKd, [channels]);
  const size = b.op('Cast', [b.op('Size', [x])], { to: DataType.FLOAT });
  const count = b.op('Div', [size, b.scalar(channels)], {}, `${node.name}_count`);
  // Σ(x − mean)² in one pass (ReduceSumSquare), then a division on [C]: no squared tensor is materialized.
  const variance = b.op('Div', [b.reduce('ReduceSumSquare', centered, axes, false), count], {}, `${node.name}_var`);
  const yOut = node.outputs[0];
  const bnOpts = b.opset >= 14 ? { epsilon: { float: eps }, training_mode: 0 } : { epsilon: { float: eps } };
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

/** Replaces BatchNormalization by its inference form reading the running statistics. */
export function inferenceBatchNorm(b: GraphBuilder, node: Node): void {
  const eps = attrFloat(node, 'epsilon', 1e-5);
  const opts = b.opset >= 14 ? { epsilon: { float: eps }, training_mode: 0 } : { epsilon: { float: eps } };
  b.node('BatchNormalization', node.inputs.slice(0, 5), opts, { outputNames: [node.outputs[0]], name: node.name });
}
