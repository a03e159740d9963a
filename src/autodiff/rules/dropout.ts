// dX = dY · mask / (1 − ratio)  (the forward mask is reused, so the same units are dropped)
import { GradientRule } from '../types';

export const dropout: GradientRule = ({ b, dOut, node, x, y }) => {
  const dy = dOut[0] as string;
  if (!node.outputs[1]) throw new Error(`internal: Dropout node '${node.name}' has no mask output to differentiate with`);
  // The ratio is an input (opset ≥ 12): a constant folds into the scale, else 1 / (1 − ratio) at run time.
  const ratio = node.inputs[1] ? b.fact(x(1)).floatValue?.[0] : 0.5;
  const scale = ratio !== undefined ? b.scalarLike(1 / (1 - ratio), dy) : b.op('Reciprocal', [b.op('Sub', [b.scalarLike(1, dy), x(1)])]);
  return [b.op('Where', [y(1), b.op('Mul', [dy, scale]), b.scalarLike(0, dy)])];
};
