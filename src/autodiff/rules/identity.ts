// dX = dY  (Identity, and Cast between float types: the gradient is cast back)
import { GradientRule } from '../types';

export const identity: GradientRule = ({ dOut }) => [dOut[0]];
