// dX = dY·X / Y, and 0 where Y = 0  (ReduceL2 = √ΣX²; the zero norm's subgradient 0, as torch.linalg.vector_norm)
import { GradientRule } from '../types';
import { keptDims, reducedAxes } from './reduce-sum';

export const reduceL2: GradientRule = (ctx) => {
  const { b, dOut, x, y } = ctx;
  const axes = reducedAxes(ctx);
  const dy = keptDims(ctx, dOut[0] as string, axes);
  const norm = keptDims(ctx, y(0), axes);
  const zero = b.scalarLike(0, norm);
  const isZero = b.op('Equal', [norm, zero]);
  // Divide by 1 where the norm is 0, so no NaN is made and then masked.
  const safe = b.op('Where', [isZero, b.scalarLike(1, norm), norm]);
  const ratio = b.op('Where', [isZero, zero, b.op('Div', [dy, safe])]);
  return [b.op('Mul', [ratio, x(0)])];
};
