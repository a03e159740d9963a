// dX = ScatterElements(0, Indices, dValues, axis)  (TopK; the indices are distinct, so a plain scatter sums nothing; no gradient to k)
import { attrInt } from '../../onnx/ir';
import { GradientRule } from '../types';
import { attr } from '../../onnx/attr';

export const topK: GradientRule = ({ b, dOut, node, x, y }) => {
  const dValues = dOut[0];
  if (!dValues) return [undefined];
  return [b.op('ScatterElements', [b.zerosLike(x(0)), y(1), dValues], { axis: attr.int(attrInt(node, 'axis', -1)) })];
};
