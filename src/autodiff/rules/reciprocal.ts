// dX = −dY·Y²  (reuses the forward output Y = 1/X)
import { GradientRule } from '../types';

export const reciprocal: GradientRule = ({ b, dOut, y }) => [b.op('Mul', [b.op('Neg', [dOut[0] as string]), b.op('Mul', [y(0), y(0)])])];
