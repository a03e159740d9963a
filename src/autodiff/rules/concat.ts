// dXᵢ = dY[..., offsetᵢ : offsetᵢ + sizeᵢ, ...] along the axis: one Split (sizes read at run time where symbolic)
import { attrInt } from '../../onnx/ir';
import { GradientRule } from '../types';
import { attr } from '../../onnx/attr';

export const concat: GradientRule = ({ b, dOut, needs, node, x }) => {
  const dy = dOut[0] as string;
  const rank = b.rank(dy);
  const axisAttr = attrInt(node, 'axis', 0);
  const axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
  const inputs = node.inputs.map((_, i) => x(i));
  const sizes = inputs.map((v) => b.shape(v)?.[axis]);
  if (inputs.length === 1) return [dy];
  let parts: string[];
  if (sizes.every((s): s is number => typeof s === 'number')) {
    parts = b.node('Split', [dy, b.ints(sizes)], { axis: attr.int(axis) }, { outputs: inputs.length });
  } else {
    const axisIndex = b.ints([axis]);
    const runtime = inputs.map((v, i) => {
      const s = sizes[i];
      return typeof s === 'number' ? b.ints([s]) : b.op('Gather', [b.op('Shape', [v]), axisIndex], { axis: attr.int(0) });
    });
    parts = b.node('Split', [dy, b.op('Concat', runtime, { axis: attr.int(0) })], { axis: attr.int(axis) }, { outputs: inputs.length });
  }
  return parts.map((p, i) => (needs[i] ? p : undefined));
};
