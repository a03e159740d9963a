// dX = dY·(X > 0 ? 1 : slope), dslope = dY·min(X, 0)  (slope at X = 0, as PyTorch's prelu backward; the driver sums dslope down to slope's shape)
import { GradientRule } from '../types';

export const prelu: GradientRule = ({ b, dOut, needs, x }) => {
  const dy = dOut[0] as string;
  const X = x(0);
  const zero = b.scalarLike(0, X);
  const positive = b.op('Greater', [X, zero]);
  const dX = needs[0] ? b.op('Where', [positive, dy, b.op('Mul', [dy, x(1)])]) : undefined;
  const dSlope = needs[1] ? b.op('Mul', [dy, b.op('Min', [X, zero])]) : undefined;
  return [dX, dSlope];
};
