// dX = dY / (H·W), broadcast over the spatial dims (the driver expands it to X's shape)
import { dimProduct } from '../../onnx/shape-inference';
import { GradientRule } from '../types';

export const globalAveragePool: GradientRule = ({ b, dOut, x, shape }) => {
  const spatial = dimProduct(shape(x(0))?.slice(2) ?? [null]);
  if (typeof spatial !== 'number') {
    throw new Error(`GlobalAveragePool needs known spatial dims to differentiate (node input '${x(0)}')`);
  }
  return [b.op('Mul', [dOut[0] as string, b.scalarLike(1 / spatial, x(0))])];
};
