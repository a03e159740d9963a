// dX = dY·Y·(1 − Y)  (reuses the forward output)
import { GradientRule } from '../types';

export const sigmoid: GradientRule = ({ b, dOut, y }) => {
  const oneMinusY = b.op('Sub', [b.scalarLike(1, y(0)), y(0)]);
  return [b.op('Mul', [dOut[0] as string, b.op('Mul', [y(0), oneMinusY])])];
};
