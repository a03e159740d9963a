// dX = dY·exp(X − Y)  (ReduceLogSumExp; the softmax over the reduced axes, from the forward Y so nothing overflows)
import { GradientRule } from '../types';
import { keptDims, reducedAxes } from './reduce-sum';

export const reduceLogSumExp: GradientRule = (ctx) => {
  const { b, dOut, x, y } = ctx;
  const axes = reducedAxes(ctx);
  const softmax = b.op('Exp', [b.op('Sub', [x(0), keptDims(ctx, y(0), axes)])]);
  return [b.op('Mul', [keptDims(ctx, dOut[0] as string, axes), softmax])];
};
