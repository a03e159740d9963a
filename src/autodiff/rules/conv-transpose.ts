// Y = convᵀ(X, W) (the adjoint of Conv): dX = conv(dY, W), dW = Σₙ X ⋆ dY with the roles of Conv's dW swapped, dB = Σ dY
// Appears in Conv's own backward graphs (strided dX), so Hessian-vector products need it.
import { staticShape } from '../../onnx/builder';
import { ConvGeometry } from '../../onnx/conv-geometry';
import { attrInt, attrInts, attrString } from '../../onnx/ir';
import { attr } from '../../onnx/attr';
import { convDw } from '../lowering/conv';
import { AutodiffError, GradientRule } from '../types';

export const convTranspose: GradientRule = ({ b, dOut, needs, node, x, shape }) => {
  const dy = dOut[0] as string;
  const ws = staticShape(shape(x(1)));
  const xs = shape(x(0));
  const ys = shape(dy);
  if (!ws || !xs || !ys) throw new AutodiffError(`ConvTranspose node '${node.name}' needs a known weight shape and input rank to differentiate`);
  if (attrString(node, 'auto_pad', 'NOTSET') !== 'NOTSET' || attrInts(node, 'output_shape')) {
    throw new AutodiffError(`ConvTranspose node '${node.name}' uses auto_pad or output_shape; crsam differentiates ConvTranspose with explicit pads only`);
  }
  const n = ws.length - 2;
  const group = attrInt(node, 'group', 1);
  const kernel = attrInts(node, 'kernel_shape') ?? ws.slice(2);
  const strides = attrInts(node, 'strides') ?? new Array<number>(n).fill(1);
  const dilations = attrInts(node, 'dilations') ?? new Array<number>(n).fill(1);
  const pads = attrInts(node, 'pads') ?? new Array<number>(2 * n).fill(0);
  const attrs = { kernel_shape: attr.ints(kernel), strides: attr.ints(strides), dilations: attr.ints(dilations), pads: attr.ints(pads), group: attr.int(group) };
  // The forward Conv maps Y's space back onto X's: that Conv is what we differentiate through.
  const dX = needs[0] ? b.op('Conv', [dy, x(1)], attrs) : undefined;
  let dW: string | undefined;
  if (needs[1]) {
    const inSpatial = xs.slice(2);
    if (!inSpatial.every((d): d is number => typeof d === 'number')) {
      throw new AutodiffError(`ConvTranspose node '${node.name}' needs known spatial input sizes to differentiate its weight`);
    }
    // Conv's dW with input dY (Cout·group channels) and output gradient X (Cin channels) is [Cin, Cout/group, k...] = W's shape.
    const g: ConvGeometry = { kernel, strides, dilations, pads, outSpatial: inSpatial, ceilMode: false };
    dW = convDw(b, dy, x(0), g, group, ws[1] * group, ws[0]);
  }
  const dB = needs[2] ? b.reduce('ReduceSum', dy, [0, ...Array.from({ length: n }, (_, i) => i + 2)], false) : undefined;
  return [dX, dW, dB];
};
