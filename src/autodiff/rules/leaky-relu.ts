// dX = dY · (X > 0 ? 1 : α)
// Tested on X (not Y) so that a negative α still picks the right branch; at X = 0 the slope is α, as in PyTorch.
import { attrFloat } from '../../onnx/ir';
import { GradientRule } from '../types';

export const leakyRelu: GradientRule = ({ b, dOut, node, x }) => {
  const dy = dOut[0] as string;
  const alpha = attrFloat(node, 'alpha', 0.01);
  const positive = b.op('Greater', [x(0), b.scalarLike(0, x(0))]);
  return [b.op('Where', [positive, dy, b.op('Mul', [dy, b.scalarLike(alpha, dy)])])];
};
