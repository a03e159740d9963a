// dA = dY, dB = dY  (the driver un-broadcasts)
import { GradientRule } from '../types';

export const add: GradientRule = ({ dOut }) => [dOut[0], dOut[0]];
