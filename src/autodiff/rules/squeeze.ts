// Squeeze and Unsqueeze: each one's gradient is the other with the same axes (Squeeze's count in
// X's rank, Unsqueeze's in Y's, which is dY's); axes from the input; none or not constant: reshape back.
import { GraphBuilder } from '../../onnx/builder';
import { GradientRule } from '../types';
import { reshapeBack } from './reshape-back';

function inverse(op: (b: GraphBuilder, dy: string, axes: readonly number[]) => string): GradientRule {
  return (ctx) => {
    const { b, dOut, node, x } = ctx;
    const axes = node.inputs[1] ? b.fact(x(1)).value : undefined;
    if (!axes || !axes.every((a): a is number => typeof a === 'number')) return reshapeBack(ctx);
    return [op(b, dOut[0] as string, axes)];
  };
}

export const squeeze = inverse((b, dy, axes) => b.unsqueeze(dy, axes));
export const unsqueeze = inverse((b, dy, axes) => b.squeeze(dy, axes));
