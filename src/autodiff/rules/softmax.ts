// dX = Y·(dY − Σₐ dY·Y)  over the softmax axis a (reuses the forward output)
import { attrInt } from '../../onnx/ir';
import { GradContext, GradientRule } from '../types';

/** The axes Softmax/LogSoftmax normalize over: one axis from opset 13, all axes from `axis` on before. */
export function softmaxAxes({ b, node, opset, x }: GradContext): number[] {
  const rank = b.rank(x(0));
  const axis = attrInt(node, 'axis', opset >= 13 ? -1 : 1);
  const a = axis < 0 ? axis + rank : axis;
  return opset >= 13 ? [a] : Array.from({ length: rank - a }, (_, i) => a + i);
}

export const softmax: GradientRule = (ctx) => {
  const { b, dOut, y } = ctx;
  const dy = dOut[0] as string;
  const dot = b.reduce('ReduceSum', b.op('Mul', [dy, y(0)]), softmaxAxes(ctx), true);
  return [b.op('Mul', [y(0), b.op('Sub', [dy, dot])])];
};
