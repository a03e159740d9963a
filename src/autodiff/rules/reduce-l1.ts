// dX = dY·sign(X)  (ReduceL1 = Σ|X|; zero at X = 0, as torch.norm(p=1) / abs' backward)
import { GradientRule } from '../types';
import { keptDims, reducedAxes } from './reduce-sum';

export const reduceL1: GradientRule = (ctx) => {
  const { b, dOut, x } = ctx;
  return [b.op('Mul', [keptDims(ctx, dOut[0] as string, reducedAxes(ctx)), b.op('Sign', [x(0)])])];
};
