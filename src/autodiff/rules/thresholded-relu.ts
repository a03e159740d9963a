// dX = dY·[X > α]  (Y = X·[X > α]; zero at X = α, as torch.nn.functional.threshold)
import { attrFloat } from '../../onnx/ir';
import { GradientRule } from '../types';

export const thresholdedRelu: GradientRule = ({ b, dOut, node, x }) => {
  const X = x(0);
  const above = b.op('Greater', [X, b.scalarLike(attrFloat(node, 'alpha', 1), X)]);
  return [b.op('Where', [above, dOut[0] as string, b.scalarLike(0, X)])];
};
