// dX = where(C, dY, 0), dY' = where(C, 0, dY); the condition gets none  (the driver un-broadcasts)
import { GradientRule } from '../types';

export const where: GradientRule = ({ b, dOut, needs, x }) => {
  const dy = dOut[0] as string;
  const zero = b.scalarLike(0, dy);
  return [undefined, needs[1] ? b.op('Where', [x(0), dy, zero]) : undefined, needs[2] ? b.op('Where', [x(0), zero, dy]) : undefined];
};
