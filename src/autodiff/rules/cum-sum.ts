// dX = CumSum(dY) in the opposite direction, same exclusive  (Yᵢ = Σ_{j ≤ i} Xⱼ ⇒ dXⱼ = Σ_{i ≥ j} dYᵢ; strict with exclusive)
import { attrInt } from '../../onnx/ir';
import { GradientRule } from '../types';
import { attr } from '../../onnx/attr';

export const cumSum: GradientRule = ({ b, dOut, node, x }) => {
  const reverse = attrInt(node, 'reverse', 0) ? 0 : 1;
  return [b.op('CumSum', [dOut[0] as string, x(1)], { exclusive: attr.int(attrInt(node, 'exclusive', 0)), reverse: attr.int(reverse) })];
};
