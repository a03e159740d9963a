// dX = scatter-add of dY at the argmax of each window (the node's Indices output, added when absent)
import { GraphBuilder } from '../../onnx/builder';
import { DataType } from '../../onnx/dtype';
import { attrInt, attrInts, attrString, Node } from '../../onnx/ir';
import { GradientRule } from '../types';
import { attr } from '../../onnx/attr';

const BIG = 2 ** 31 - 1;

/**
 * The flat (N·C·H·W, row-major) argmax of every window: the node's own Indices output, added to it
 * when absent (measured: the forward pool costs ~10% more, a second pool in the backward ~100%).
 */
function argmaxIndices(b: GraphBuilder, node: Node): string {
  if (attrInt(node, 'storage_order', 0) === 0) {
    if (!node.outputs[1]) {
      node.outputs[1] = b.fresh(`${node.name}_indices`);
      b.facts.set(node.outputs[1], { dtype: DataType.INT64, shape: b.shape(node.outputs[0]) });
    }
    return node.outputs[1];
  }
  return b.node('MaxPool', [node.inputs[0]], {
    kernel_shape: attr.ints(attrInts(node, 'kernel_shape')), strides: attr.ints(attrInts(node, 'strides')), pads: attr.ints(attrInts(node, 'pads')),
    dilations: attr.ints(attrInts(node, 'dilations')), ceil_mode: attr.int(attrInt(node, 'ceil_mode')), auto_pad: node.attributes.has('auto_pad') ? attrString(node, 'auto_pad', 'NOTSET') : undefined,
  }, { outputs: 2, hint: 'argmax' })[1];
}

export const maxPool: GradientRule = ({ b, dOut, node, x, opset }) => {
  const dy = dOut[0];
  if (!dy) return [undefined];
  const kernel = attrInts(node, 'kernel_shape') as readonly number[];
  const strides = attrInts(node, 'strides') ?? kernel.map(() => 1);
  const dilations = attrInts(node, 'dilations') ?? kernel.map(() => 1);
  const indices = argmaxIndices(b, node);
  const flat = (v: string) => b.reshape(v, [-1]);
  let acc = flat(b.zerosLike(x(0)));
  // How many window positions per axis until windows stop overlapping (1: they never do).
  const period = kernel.map((k, a) => Math.ceil((dilations[a] * (k - 1) + 1) / strides[a]));
  if (period.every((p) => p === 1)) {
    acc = b.op('ScatterElements', [acc, flat(indices), flat(dy)], { axis: attr.int(0) });
  } else if (opset >= 16) {
    acc = b.op('ScatterElements', [acc, flat(indices), flat(dy)], { axis: attr.int(0), reduction: 'add' });
  } else {
    // Before opset 16 there is no scatter-add: windows `period` apart never overlap, so each such
    // class of windows has unique indices and is added with a gather + scatter.
    const axes = kernel.map((_, a) => a + 2);
    let classes: number[][] = [[]];
    for (const p of period) classes = classes.flatMap((c) => Array.from({ length: p }, (_, r) => [...c, r]));
    for (const c of classes) {
      const pick = (v: string) => flat(b.slice(v, c, c.map(() => BIG), axes, period));
      const at = pick(indices);
      acc = b.op('ScatterElements', [acc, at, b.op('Add', [b.op('GatherElements', [acc, at], { axis: attr.int(0) }), pick(dy)])], { axis: attr.int(0) });
    }
  }
  return [b.reshapeLike(acc, x(0))];
};
