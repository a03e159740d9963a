// dX = dY·(t + X·σ(X)·(1 − t²)), t = tanh(softplus(X))  (Y = X·t)
import { GradientRule } from '../types';

export const mish: GradientRule = ({ b, dOut, x }) => {
  const X = x(0);
  const t = b.op('Tanh', [b.op('Softplus', [X])]);
  const sech2 = b.op('Sub', [b.scalarLike(1, X), b.op('Mul', [t, t])]);
  const slope = b.op('Add', [t, b.op('Mul', [b.op('Mul', [X, b.op('Sigmoid', [X])]), sech2])]);
  return [b.op('Mul', [dOut[0] as string, slope])];
};
