// dX = concat(dY₁, …, dYₖ) along the axis (zeros for outputs that carry no gradient)
import { attrInt } from '../../onnx/ir';
import { GradientRule } from '../types';
import { attr } from '../../onnx/attr';

export const split: GradientRule = ({ b, dOut, node, y }) => {
  const parts = node.outputs.map((_, i) => dOut[i] ?? b.zerosLike(y(i)));
  if (parts.length === 1) return [parts[0], undefined];
  return [b.op('Concat', parts, { axis: attr.int(attrInt(node, 'axis', 0)) }), undefined];
};
