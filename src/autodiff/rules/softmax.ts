// dX = Y·(dY − Σₐ dY·Y)  over the softmax axis a (reuses the forward output)
import { attrInt } from '../../onnx/ir';
import { GradContext, GradientRule } from '../types';

/** The axis Softmax/LogSoftmax normalize over (opset ≥ 13: one axis, default the last). */
export function softmaxAxes({ b, node, x }: GradContext): number[] {
  const rank = b.rank(x(0));
  const axis = attrInt(node, 'axis', -1);
  return [axis < 0 ? axis + rank : axis];
}

export const softmax: GradientRule = (ctx) => {
  const { b, dOut, y } = ctx;
  const dy = dOut[0] as string;
  const dot = b.reduce('ReduceSum', b.op('Mul', [dy, y(0)]), softmaxAxes(ctx), true);
  return [b.op('Mul', [y(0), b.op('Sub', [dy, dot])])];
};
