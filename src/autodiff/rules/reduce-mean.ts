// dX = dY / n, n = the number of elements averaged into each output  (reduced axes restored as size-1 dims)
import { dimProduct } from '../../onnx/shape-inference';
import { GradientRule } from '../types';
import { keptDims, reducedAxes } from './reduce-sum';
import { attr } from '../../onnx/attr';

export const reduceMean: GradientRule = (ctx) => {
  const { b, dOut, dtype, shape, x } = ctx;
  const axes = reducedAxes(ctx);
  const dy = keptDims(ctx, dOut[0] as string, axes);
  const n = dimProduct(axes.map((a) => shape(x(0))?.[a] ?? null));
  if (typeof n === 'number') return [n === 1 ? dy : b.op('Mul', [dy, b.scalarLike(1 / n, dy)])];
  // Symbolic reduced dims (e.g. the batch): n = size(X) / size(Y) at run time.
  const count = b.op('Div', [b.op('Size', [x(0)]), b.op('Size', [dy])]);
  return [b.op('Div', [dy, b.op('Cast', [count], { to: attr.int(dtype(dy)) })])];
};
