// dX = dY · [Y > 0]
// Lowered as Where(Y > 0, dY, 0): two passes, no float mask materialized.
import { GradientRule } from '../types';

export const relu: GradientRule = ({ b, dOut, y }) => {
  const positive = b.op('Greater', [y(0), b.scalarLike(0, y(0))]);
  return [b.op('Where', [positive, dOut[0] as string, b.scalarLike(0, y(0))])];
};
