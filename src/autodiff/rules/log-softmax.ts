// dX = dY − exp(Y)·Σₐ dY  over the softmax axis a (exp(Y) is the softmax, from the forward output)
import { GradientRule } from '../types';
import { softmaxAxes } from './softmax';

export const logSoftmax: GradientRule = (ctx) => {
  const { b, dOut, y } = ctx;
  const dy = dOut[0] as string;
  const total = b.reduce('ReduceSum', dy, softmaxAxes(ctx), true);
  return [b.op('Sub', [dy, b.op('Mul', [b.op('Exp', [y(0)]), total])])];
};
