// dX = reshape(dY, shape(X))  (Flatten, Reshape, Squeeze, Unsqueeze: pure layout changes)
import { GradientRule } from '../types';

export const reshapeBack: GradientRule = ({ b, dOut, x }) => [b.reshapeLike(dOut[0] as string, x(0))];
