// dX = dY·(2/√π)·exp(−X²)
import { GradientRule } from '../types';

export const erf: GradientRule = ({ b, dOut, x }) => {
  const gauss = b.op('Exp', [b.op('Mul', [b.op('Mul', [x(0), x(0)]), b.scalarLike(-1, x(0))])]);
  return [b.op('Mul', [dOut[0] as string, b.op('Mul', [gauss, b.scalarLike(2 / Math.sqrt(Math.PI), x(0))])])];
};
