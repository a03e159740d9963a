// dX = unsqueeze(dY, axes)  (axes from the input; none or not constant: reshape back)
import { GradientRule } from '../types';
import { reshapeBack } from './reshape-back';

export const squeeze: GradientRule = (ctx) => {
  const { b, dOut, node, x } = ctx;
  const axes = node.inputs[1] ? b.fact(x(1)).value : undefined;
  if (!axes || !axes.every((a): a is number => typeof a === 'number')) return reshapeBack(ctx);
  // Squeeze's axes count in X's rank, and so do Unsqueeze's on dY (whose output is X-shaped).
  return [b.unsqueeze(dOut[0] as string, axes)];
};
