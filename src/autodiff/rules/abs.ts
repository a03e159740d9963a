// dX = dY·sign(X)  (0 at X = 0, as in PyTorch)
import { GradientRule } from '../types';

export const abs: GradientRule = ({ b, dOut, x }) => [b.op('Mul', [dOut[0] as string, b.op('Sign', [x(0)])])];
