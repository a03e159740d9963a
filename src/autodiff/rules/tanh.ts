// dX = dY·(1 − Y²)  (reuses the forward output)
import { GradientRule } from '../types';

export const tanh: GradientRule = ({ b, dOut, y }) => {
  const slope = b.op('Sub', [b.scalarLike(1, y(0)), b.op('Mul', [y(0), y(0)])]);
  return [b.op('Mul', [dOut[0] as string, slope])];
};
