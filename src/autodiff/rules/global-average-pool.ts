// dX = dY / (H·W), broadcast over the spatial dims (the driver expands it to X's shape)
import { dimProduct } from '../../onnx/shape-inference';
import { attr } from '../../onnx/attr';
import { GradientRule } from '../types';

export const globalAveragePool: GradientRule = ({ b, dOut, x, shape, dtype }) => {
  const dy = dOut[0] as string;
  const spatial = dimProduct(shape(x(0))?.slice(2) ?? [null]);
  if (typeof spatial === 'number') return [b.op('Mul', [dy, b.scalarLike(1 / spatial, x(0))])];
  // Symbolic spatial dims (e.g. after a padding computed from Shape): H·W = size(X) / size(Y) at run time.
  const count = b.op('Div', [b.op('Size', [x(0)]), b.op('Size', [dy])]);
  return [b.op('Div', [dy, b.op('Cast', [count], { to: attr.int(dtype(dy)) })])];
};
