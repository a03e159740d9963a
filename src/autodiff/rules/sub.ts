// dA = dY, dB = −dY
import { GradientRule } from '../types';

export const sub: GradientRule = ({ b, dOut, needs }) => [dOut[0], needs[1] ? b.op('Neg', [dOut[0] as string]) : undefined];
