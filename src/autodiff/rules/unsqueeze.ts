// dX = squeeze(dY, axes)  (axes from the input; none or not constant: reshape back)
import { GradientRule } from '../types';
import { reshapeBack } from './reshape-back';

export const unsqueeze: GradientRule = (ctx) => {
  const { b, dOut, node, x } = ctx;
  const axes = node.inputs[1] ? b.fact(x(1)).value : undefined;
  if (!axes || !axes.every((a): a is number => typeof a === 'number')) return reshapeBack(ctx);
  // Unsqueeze's axes count in Y's rank, and so do Squeeze's on dY.
  return [b.squeeze(dOut[0] as string, axes)];
};
