// dX = 2·X·dY  (ReduceSumSquare = ΣX²)
import { GradientRule } from '../types';
import { keptDims, reducedAxes } from './reduce-sum';

export const reduceSumSquare: GradientRule = (ctx) => {
  const { b, dOut, x } = ctx;
  const dy = keptDims(ctx, dOut[0] as string, reducedAxes(ctx));
  return [b.op('Mul', [b.op('Mul', [dy, b.scalarLike(2, dy)]), x(0)])];
};
