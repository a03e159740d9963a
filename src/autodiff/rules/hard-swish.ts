// dX = dY·(X < −3 ? 0 : X ≤ 3 ? X/3 + ½ : 1)  (Y = X·HardSigmoid(X) with α = 1/6, β = ½)
// The kinks go as torch.nn.functional.hardswish's backward: slope −½ at X = −3 and 3/2 at X = 3.
import { GradientRule } from '../types';

export const hardSwish: GradientRule = ({ b, dOut, x }) => {
  const dy = dOut[0] as string;
  const X = x(0);
  const s = (v: number) => b.scalarLike(v, X);
  const middle = b.op('Add', [b.op('Mul', [X, s(1 / 3)]), s(0.5)]);
  const slope = b.op('Where', [b.op('Less', [X, s(-3)]), s(0), b.op('Where', [b.op('LessOrEqual', [X, s(3)]), middle, s(1)])]);
  return [b.op('Mul', [dy, slope])];
};
