// dX = dY·Y  (reuses the forward output)
import { GradientRule } from '../types';

export const exp: GradientRule = ({ b, dOut, y }) => [b.op('Mul', [dOut[0] as string, y(0)])];
