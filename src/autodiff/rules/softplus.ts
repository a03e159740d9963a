// dX = dY·σ(X)  (Y = log(1 + eˣ); PyTorch's threshold 20 changes the slope by < 3e-9, below float32's resolution)
import { GradientRule } from '../types';

export const softplus: GradientRule = ({ b, dOut, x }) => [b.op('Mul', [dOut[0] as string, b.op('Sigmoid', [x(0)])])];
