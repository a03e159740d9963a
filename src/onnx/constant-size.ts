// A model cannot make crsam (or ONNX Runtime running its graphs) allocate far more than its file
// holds: a tensor computed from constants alone (ConstantOfShape, Expand or Tile of a constant
// shape, Range...) has a size fixed by the file, and a few bytes of shape can ask for gigabytes.
// Tensors that depend on the data are sized by the batch and checked by the memory estimate.
import { OnnxFormatError } from './errors';
import { Graph, topologicalOrder, tensorSize } from './ir';
import { Facts, isStatic } from './shape-inference';

/**
 * Least element count allowed for a constant-derived tensor (2^24: 64 MB of float32). Above that,
 * such a tensor may be at most CONSTANT_GROWTH times as large as all the model's weights together:
 * real models expand constants into masks, grids or broadcast biases, which stay of the order of
 * their weights; a hostile file asks for 10^9 elements from a 1.6 KB model.
 */
const MIN_CONSTANT_LIMIT = 1 << 24;
const CONSTANT_GROWTH = 16;

/** Refuses a node whose output, computed from constants alone, is far larger than the model's weights. */
export function checkConstantSizes(graph: Graph, facts: Facts, label: string): void {
  let weights = 0;
  for (const t of graph.initializers.values()) weights += t.data.length;
  const limit = Math.max(MIN_CONSTANT_LIMIT, CONSTANT_GROWTH * weights);
  const dataDependent = new Set(graph.inputs.filter((v) => !graph.initializers.has(v.name)).map((v) => v.name));
  for (const node of topologicalOrder(graph)) {
    if (node.inputs.some((i) => dataDependent.has(i)) || node.attributes.size && [...node.attributes.values()].some((a) => a.type === 'graph')) {
      for (const o of node.outputs) if (o) dataDependent.add(o);
      continue;
    }
    for (const o of node.outputs) {
      const shape = o ? facts.get(o)?.shape : undefined;
      if (!isStatic(shape)) continue;
      const count = tensorSize(shape);
      if (count > limit) {
        throw new OnnxFormatError(`${label}: ${node.opType} node '${node.name}' makes a tensor of shape [${shape.join(', ')}] (${count.toExponential(2)} values) from constants alone, more than ${CONSTANT_GROWTH}× all the model's ${weights} weights; the model is corrupt or hostile`);
      }
    }
  }
}
