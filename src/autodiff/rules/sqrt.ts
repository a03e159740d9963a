// dX = dY / (2·Y)  (reuses the forward output)
import { GradientRule } from '../types';

export const sqrt: GradientRule = ({ b, dOut, y }) => [b.op('Div', [b.op('Mul', [dOut[0] as string, b.scalarLike(0.5, y(0))]), y(0)])];
