// Which initializers of a forward model are trained: the one rule, used by buildArtifacts and by
// the zoo's parameter count (PyTorch's sum(p.numel() for p in model.parameters()) counts the same).
import { DataType } from '../onnx/dtype';
import { Graph, Tensor } from '../onnx/ir';

export interface InitializerRoles {
  /** Trainable parameters: float32 initializers of rank ≥ 1 that a node reads, not frozen, not buffers. In initializer order. */
  readonly params: readonly Tensor[];
  /** BatchNorm running statistics (mean and variance inputs): state the training graph updates, not trained. */
  readonly buffers: readonly Tensor[];
}

/** Splits the initializers a node reads into trainable parameters and BatchNorm buffers; the rest are constants. */
export function initializerRoles(g: Graph, frozen: ReadonlySet<string> = new Set()): InitializerRoles {
  const bufferNames = new Set(g.nodes.filter((n) => n.opType === 'BatchNormalization').flatMap((n) => [n.inputs[3], n.inputs[4]]));
  const used = new Set(g.nodes.flatMap((n) => n.inputs));
  const params: Tensor[] = [];
  const buffers: Tensor[] = [];
  for (const t of g.initializers.values()) {
    if (!used.has(t.name)) continue;
    if (bufferNames.has(t.name)) { buffers.push(t); continue; }
    // Rank-0 floats are constants (exponents, epsilons), not weights.
    if (t.dtype !== DataType.FLOAT || t.dims.length === 0 || frozen.has(t.name)) continue;
    params.push(t);
  }
  return { params, buffers };
}
