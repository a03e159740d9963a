// dX = dY ×ₐ Mₐᵀ for each resized axis a, Mₐ the out×in interpolation matrix (Resize nearest/linear is linear in X)
// Each axis is a constant matrix (src/onnx/resize-geometry.ts), applied by MatMul: for the 2×
// nearest and bilinear upsamplings PyTorch exports this costs out·in multiply-adds per row instead
// of the ≤ 2·out of a scatter, which is small next to the convolutions around it and needs no
// ScatterElements with reduction (opset 16+) nor a float64-less kernel.
import { GraphBuilder } from '../../onnx/builder';
import { DataType } from '../../onnx/dtype';
import { planResize, resizeMatrix, resizeUnsupported } from '../../onnx/resize-geometry';
import { resizeInputs } from '../../onnx/shape-rules/select';
import { AutodiffError, GradientRule } from '../types';

export const resize: GradientRule = ({ b, dOut, node, shape, x, y }) => {
  const where = `Resize node '${node.name}'`;
  const why = resizeUnsupported(node);
  if (why) throw new AutodiffError(`${where} cannot be differentiated with ${why}; export with mode nearest or (bi)linear`);
  const inDims = shape(x(0));
  const outDims = shape(y(0));
  const { scales, sizes } = resizeInputs((i) => (node.inputs[i] ? b.fact(node.inputs[i]) : undefined));
  const plan = inDims ? planResize(node, inDims, scales?.floatValue, sizes?.value) : 'the input rank is unknown';
  if (typeof plan === 'string' || !inDims || !outDims) throw new AutodiffError(`${where} cannot be differentiated: ${typeof plan === 'string' ? plan : 'its output shape is unknown'}; export it with constant scales or sizes`);
  let g = dOut[0] as string;
  const rank = inDims.length;
  const dtype = b.fact(g).dtype;
  for (let a = 0; a < rank; a++) {
    const lenIn = inDims[a];
    const lenOut = outDims[a];
    const scale = plan.scales[a];
    if (lenIn === lenOut && scale === 1) continue;
    if (typeof lenIn !== 'number' || typeof lenOut !== 'number' || scale === undefined) {
      throw new AutodiffError(`${where} resizes axis ${a}, whose size is not static (${String(lenIn)} → ${String(lenOut)}); export with a fixed input size`);
    }
    const m = resizeMatrix(node, lenIn, lenOut, scale);
    if (!m) continue;
    g = contract(b, g, a, rank, m, lenIn, lenOut, dtype);
  }
  return [g];
};

/** g (size lenOut along axis a) times the out×in matrix m along that axis → size lenIn there. */
function contract(b: GraphBuilder, g: string, a: number, rank: number, m: Float64Array, lenIn: number, lenOut: number, dtype: DataType): string {
  const data = dtype === DataType.DOUBLE ? m : Float32Array.from(m);
  if (a === rank - 1) return b.op('MatMul', [g, b.initializer('resize_matrix', dtype, [lenOut, lenIn], data)]);
  const t = dtype === DataType.DOUBLE ? new Float64Array(m.length) : new Float32Array(m.length);
  for (let o = 0; o < lenOut; o++) for (let i = 0; i < lenIn; i++) t[i * lenOut + o] = m[o * lenIn + i];
  const mt = b.initializer('resize_matrix_t', dtype, [lenIn, lenOut], t);
  if (a === rank - 2) return b.op('MatMul', [mt, g]);
  // Other axes: bring axis a to the second-last place, multiply, and put it back.
  const perm = Array.from({ length: rank }, (_, i) => i).filter((i) => i !== a);
  perm.splice(rank - 2, 0, a);
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return b.transpose(b.op('MatMul', [mt, b.transpose(g, perm)]), inverse);
}
