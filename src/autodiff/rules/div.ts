// dA = dY / B, dB = −dY·A / B² = −dY·Y / B
import { GradientRule } from '../types';

export const div: GradientRule = ({ b, dOut, needs, x, y }) => {
  const dy = dOut[0] as string;
  const dA = needs[0] ? b.op('Div', [dy, x(1)]) : undefined;
  const dB = needs[1] ? b.op('Neg', [b.op('Div', [b.op('Mul', [dy, y(0)]), x(1)])]) : undefined;
  return [dA, dB];
};
