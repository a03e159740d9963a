// Sizes of a model: trainable parameters (autodiff/trainable.ts, as buildArtifacts picks them: what
// PyTorch's sum(p.numel() for p in model.parameters()) counts) and the forward cost in
// multiply-accumulates of its Conv, MatMul and Gemm nodes, from the shapes alone.
import { checkedOpset } from '../autodiff/artifacts';
import { initializerRoles } from '../autodiff/trainable';
import { Dim, Graph, Model, Node, attrInt, tensorSize } from '../onnx/ir';
import { Facts, inferShapes } from '../onnx/shape-inference';
import { OptionError } from '../core/option-error';

export interface ParameterCount {
  /** Elements of the trainable parameters: float initializers of rank ≥ 1 that a node reads, BatchNorm running statistics excluded. */
  readonly parameters: number;
  /** Elements of the BatchNorm running statistics (state, not trained). */
  readonly buffers: number;
  /** Number of parameter tensors. */
  readonly tensors: number;
}

/** Counts the trainable parameters and the BatchNorm buffers of a forward model. */
export function countParameters(model: Model): ParameterCount {
  const { params, buffers } = initializerRoles(model.graph);
  const elements = (ts: readonly { readonly dims: readonly number[] }[]) => ts.reduce((s, t) => s + tensorSize(t.dims), 0);
  return { parameters: elements(params), buffers: elements(buffers), tensors: params.length };
}

/** Shape facts for the graph with the input batch dimension fixed to `batchSize` (opset ≥ MIN_OPSET, as for training). */
export function factsAtBatch(model: Model, batchSize: number): Facts {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new OptionError(`the batch size must be a positive integer, got ${batchSize}`);
  const g: Graph = model.graph;
  const seed: Facts = new Map();
  for (const v of g.inputs) {
    if (g.initializers.has(v.name)) continue;
    const shape = v.shape?.map((d, i): Dim => (i === 0 && typeof d !== 'number' ? batchSize : d));
    seed.set(v.name, { dtype: v.dtype, shape });
  }
  return inferShapes(g, checkedOpset(model), seed);
}

export interface ForwardCost {
  /** Multiply-accumulates of the Conv, MatMul and Gemm nodes for the given batch. */
  readonly macs: number;
  /** Giga multiply-accumulates (macs / 1e9): the unit papers usually report as "GFLOPs" (ResNet-50: 4.1). */
  readonly gmacs: number;
  /** Floating-point operations counting a multiply-accumulate as two, in units of 1e9. */
  readonly gflops: number;
  /** Batch size the cost was counted at. */
  readonly batchSize: number;
}

function staticDims(facts: Facts, name: string, node: Node): readonly number[] {
  const s = facts.get(name)?.shape;
  if (!s || !s.every((d): d is number => typeof d === 'number')) throw new Error(`the shape of '${name}' (input of ${node.opType} '${node.name}') is not known, so its cost cannot be counted`);
  return s;
}

/** MACs of one node from its input and output shapes; 0 for ops that are not products. */
function nodeMacs(node: Node, facts: Facts): number {
  switch (node.opType) {
    case 'Conv': {
      const w = staticDims(facts, node.inputs[1], node);
      const y = staticDims(facts, node.outputs[0], node);
      // Every output element sums over (C_in / group) · kernel inputs: the weight's per-filter size.
      return tensorSize(y) * tensorSize(w.slice(1));
    }
    case 'MatMul': {
      const a = staticDims(facts, node.inputs[0], node);
      const y = staticDims(facts, node.outputs[0], node);
      return tensorSize(y) * a[a.length - 1];
    }
    case 'Gemm': {
      const a = staticDims(facts, node.inputs[0], node);
      const y = staticDims(facts, node.outputs[0], node);
      return tensorSize(y) * (attrInt(node, 'transA', 0) ? a[0] : a[1]);
    }
    default:
      return 0;
  }
}

/** Forward cost at the model's own input size (the batch dim set to `batchSize`, default 1). */
export function estimateForwardCost(model: Model, batchSize = 1): ForwardCost {
  const facts = factsAtBatch(model, batchSize);
  let macs = 0;
  for (const n of model.graph.nodes) macs += nodeMacs(n, facts);
  return { macs, gmacs: macs / 1e9, gflops: (2 * macs) / 1e9, batchSize };
}
