// dX = dY·[min ≤ X ≤ max], dmin = dY·[X < min ∧ min < max], dmax = dY·[X > max ∨ max < min]  (PyTorch's clamp)
// min and max are optional inputs; the driver sums dmin and dmax down to scalars.
import { GradientRule } from '../types';

export const clip: GradientRule = ({ b, dOut, needs, node, x }) => {
  const dy = dOut[0] as string;
  const X = x(0);
  const lo = node.inputs[1] ? x(1) : undefined;
  const hi = node.inputs[2] ? x(2) : undefined;
  const zero = b.scalarLike(0, dy);
  const pass = (cond: string) => b.op('Where', [cond, dy, zero]);
  let dX: string | undefined;
  if (needs[0]) {
    const above = lo ? b.op('GreaterOrEqual', [X, lo]) : undefined;
    const below = hi ? b.op('LessOrEqual', [X, hi]) : undefined;
    const inside = above && below ? b.op('And', [above, below]) : above ?? below;
    dX = inside ? pass(inside) : dy;
  }
  let dMin: string | undefined;
  if (needs[1] && lo) {
    const under = b.op('Less', [X, lo]);
    dMin = pass(hi ? b.op('And', [under, b.op('Less', [lo, hi])]) : under);
  }
  let dMax: string | undefined;
  if (needs[2] && hi) {
    const over = b.op('Greater', [X, hi]);
    dMax = pass(lo ? b.op('Or', [over, b.op('Less', [hi, lo])]) : over);
  }
  return [dX, dMin, dMax];
};
