// dXᵢ = dY·Π_{j≠i} Xⱼ: P/Xᵢ when the group has no zero; P' (the product of the non-zeros) at its only zero; else 0
// Zeros handled as torch.prod's backward does, without dividing by them: P' comes from a ReduceProd
// with the zeros replaced by 1, so the division never sees a zero.
import { GradientRule } from '../types';
import { keptDims, reducedAxes } from './reduce-sum';
import { attr } from '../../onnx/attr';

export const reduceProd: GradientRule = (ctx) => {
  const { b, dOut, dtype, x } = ctx;
  const axes = reducedAxes(ctx);
  const X = x(0);
  const dy = keptDims(ctx, dOut[0] as string, axes);
  if (axes.length === 0) return [dy];
  const s = (v: number) => b.scalarLike(v, X);
  const isZero = b.op('Equal', [X, s(0)]);
  const nonZero = b.op('Where', [isZero, s(1), X]);
  const product = b.reduce('ReduceProd', nonZero, axes, true);
  const zeros = b.reduce('ReduceSum', b.op('Cast', [isZero], { to: attr.int(dtype(X)) }), axes, true);
  const others = b.op('Where', [
    b.op('Equal', [zeros, s(0)]),
    b.op('Div', [product, nonZero]),
    b.op('Where', [b.op('And', [isZero, b.op('Equal', [zeros, s(1)])]), product, s(0)]),
  ]);
  return [b.op('Mul', [dy, others])];
};
