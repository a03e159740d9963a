// dX = dY · mask / (1 − ratio)  (the forward mask is reused, so the same units are dropped)
import { GradientRule } from '../types';
import { attrFloat } from '../../onnx/ir';

export const dropout: GradientRule = ({ b, dOut, node, x, y, opset }) => {
  const dy = dOut[0] as string;
  if (!node.outputs[1]) throw new Error(`internal: Dropout node '${node.name}' has no mask output to differentiate with`);
  let scale: string;
  if (opset >= 12) {
    const ratio = node.inputs[1] ? b.fact(x(1)).floatValue?.[0] : 0.5;
    scale = ratio !== undefined ? b.scalarLike(1 / (1 - ratio), dy) : b.op('Reciprocal', [b.op('Sub', [b.scalarLike(1, dy), x(1)])]);
  } else {
    scale = b.scalarLike(1 / (1 - attrFloat(node, 'ratio', 0.5)), dy);
  }
  return [b.op('Where', [y(1), b.op('Mul', [dy, scale]), b.scalarLike(0, dy)])];
};
