// dX = dY  (Identity; Cast has its own rule, cast.ts, which casts the gradient back)
import { GradientRule } from '../types';

export const identity: GradientRule = ({ dOut }) => [dOut[0]];
