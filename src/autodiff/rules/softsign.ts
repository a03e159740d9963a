// dX = dY / (1 + |X|)²  (Y = X / (1 + |X|))
import { GradientRule } from '../types';

export const softsign: GradientRule = ({ b, dOut, x }) => {
  const d = b.op('Add', [b.op('Abs', [x(0)]), b.scalarLike(1, x(0))]);
  return [b.op('Div', [dOut[0] as string, b.op('Mul', [d, d])])];
};
