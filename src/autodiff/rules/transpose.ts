// dX = transpose(dY, perm⁻¹)
import { attrInts } from '../../onnx/ir';
import { GradientRule } from '../types';

export const transpose: GradientRule = ({ b, dOut, node, x }) => {
  const dy = dOut[0] as string;
  const rank = b.rank(x(0));
  const perm = attrInts(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => { inverse[p] = i; });
  return [b.transpose(dy, inverse)];
};
