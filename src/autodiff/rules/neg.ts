// dX = −dY
import { GradientRule } from '../types';

export const neg: GradientRule = ({ b, dOut }) => [b.op('Neg', [dOut[0] as string])];
