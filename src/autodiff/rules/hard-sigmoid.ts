// dX = dY·α·[0 < αX + β < 1]  (Y = clamp(αX + β, 0, 1); zero at the kinks, as torch.nn.functional.hardsigmoid)
// Tested on Y, so the kink is decided by the very rounding that made Y: at X = ±3 (PyTorch's α = 1/6)
// Y is exactly 0 or 1 and the slope is 0, as PyTorch's strict −3 < X < 3.
import { attrFloat } from '../../onnx/ir';
import { GradientRule } from '../types';

export const hardSigmoid: GradientRule = ({ b, dOut, node, y }) => {
  const dy = dOut[0] as string;
  const alpha = attrFloat(node, 'alpha', 0.2);
  const Y = y(0);
  const inside = b.op('And', [b.op('Greater', [Y, b.scalarLike(0, Y)]), b.op('Less', [Y, b.scalarLike(1, Y)])]);
  return [b.op('Where', [inside, b.op('Mul', [dy, b.scalarLike(alpha, dy)]), b.scalarLike(0, dy)])];
};
