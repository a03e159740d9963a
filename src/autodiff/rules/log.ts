// dX = dY / X
import { GradientRule } from '../types';

export const log: GradientRule = ({ b, dOut, x }) => [b.op('Div', [dOut[0] as string, x(0)])];
