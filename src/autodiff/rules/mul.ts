// dA = dY·B, dB = dY·A
import { GradientRule } from '../types';

export const mul: GradientRule = ({ b, dOut, needs, x }) => {
  const dy = dOut[0] as string;
  return [needs[0] ? b.op('Mul', [dy, x(1)]) : undefined, needs[1] ? b.op('Mul', [dy, x(0)]) : undefined];
};
