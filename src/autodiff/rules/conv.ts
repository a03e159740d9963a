// dX = conv_adjoint(dY, W), dW = Σₙ dY ⋆ X (correlation over batch and positions), dB = Σ dY
// Lowerings are chosen per configuration in ../lowering/conv.ts (by measurement).
import { attrInt, attrInts } from '../../onnx/ir';
import { convGeometry } from '../../onnx/conv-geometry';
import { staticShape } from '../../onnx/builder';
import { convDw, convDx } from '../lowering/conv';
import { AutodiffError, GradientRule } from '../types';

export const conv: GradientRule = ({ b, dOut, needs, node, x, shape }) => {
  const dy = dOut[0] as string;
  const xs = shape(x(0));
  const ws = staticShape(shape(x(1)));
  if (!xs || !ws) throw new AutodiffError(`Conv node '${node.name}' needs a known weight shape and input rank to differentiate`);
  const spatial = xs.slice(2);
  if (!spatial.every((d): d is number => typeof d === 'number')) {
    throw new AutodiffError(`Conv node '${node.name}' needs known spatial input sizes to differentiate (only the batch may be symbolic); export with a fixed image size, dynamic_axes on the batch only`);
  }
  const kernel = attrInts(node, 'kernel_shape') ?? ws.slice(2);
  const g = convGeometry(node, spatial, kernel);
  const group = attrInt(node, 'group', 1);
  const cout = ws[0];
  const cin = ws[1] * group;
  const dX = needs[0] ? convDx(b, dy, x(1), g, group, spatial) : undefined;
  const dW = needs[1] ? convDw(b, x(0), dy, g, group, cin, cout) : undefined;
  const dB = needs[2] ? b.reduce('ReduceSum', dy, [0, ...spatial.map((_, i) => i + 2)], false) : undefined;
  return [dX, dW, dB];
};
