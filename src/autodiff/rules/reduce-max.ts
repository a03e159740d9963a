// dX = dY·[X = Y] / #ties  (ReduceMax, ReduceMin: tied extrema share the gradient evenly, as torch.amax/amin)
import { GradientRule } from '../types';
import { keptDims, reducedAxes } from './reduce-sum';
import { attr } from '../../onnx/attr';

export const reduceMaxOrMin: GradientRule = (ctx) => {
  const { b, dOut, dtype, x, y } = ctx;
  const axes = reducedAxes(ctx);
  if (axes.length === 0) return [dOut[0]];
  const mask = b.op('Cast', [b.op('Equal', [x(0), keptDims(ctx, y(0), axes)])], { to: attr.int(dtype(x(0))) });
  const ties = b.reduce('ReduceSum', mask, axes, true);
  return [b.op('Mul', [mask, b.op('Div', [keptDims(ctx, dOut[0] as string, axes), ties])])];
};
