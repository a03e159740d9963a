// dX = col2im(dY / divisor): a depthwise ConvTranspose of the scaled dY with a ones kernel
// 1/divisor per window = AveragePool(ones) / (real elements in the window), so it matches ORT's own
// count_include_pad and ceil_mode handling exactly; the pool of a constant is folded at session start.
import { staticShape } from '../../onnx/builder';
import { convGeometry } from '../../onnx/conv-geometry';
import { DataType } from '../../onnx/dtype';
import { attrInt, attrInts } from '../../onnx/ir';
import { AutodiffError, GradientRule } from '../types';
import { attr } from '../../onnx/attr';

export const averagePool: GradientRule = ({ b, dOut, node, x }) => {
  const dy = dOut[0] as string;
  const xs = b.shape(x(0));
  const spatial = staticShape(xs?.slice(2));
  const kernel = attrInts(node, 'kernel_shape');
  const c = xs?.[1];
  if (!spatial || !kernel || typeof c !== 'number') throw new AutodiffError(`AveragePool node '${node.name}' needs known channel and spatial input sizes to differentiate; export with a fixed image size, dynamic_axes on the batch only`);
  const g = convGeometry(node, spatial, kernel);
  const out = g.outSpatial as number[];
  const n = kernel.length;
  // Real (unpadded) elements per window, per axis, then their product over the output grid.
  const real = out.map((o, a) => Array.from({ length: o }, (_, j) => {
    let c = 0;
    for (let i = 0; i < kernel[a]; i++) { const p = j * g.strides[a] - g.pads[a] + i * g.dilations[a]; if (p >= 0 && p < spatial[a]) c++; }
    return c;
  }));
  let inv = [1];
  for (const r of real) inv = inv.flatMap((v) => r.map((c) => (c > 0 ? v / c : 0)));
  const grid = [1, 1, ...out];
  const ones = b.op('Expand', [b.scalarLike(1, x(0)), b.ints([1, 1, ...spatial])]);
  const pooledOnes = b.op('AveragePool', [ones], {
    kernel_shape: attr.ints(kernel), strides: attr.ints(g.strides), pads: attr.ints(g.pads), dilations: attr.ints(attrInts(node, 'dilations')),
    ceil_mode: attr.int(attrInt(node, 'ceil_mode', 0)), count_include_pad: attr.int(attrInt(node, 'count_include_pad', 0)),
  });
  const dtype = b.fact(dy).dtype;
  const invCount = b.initializer('inv_count', dtype, grid, dtype === DataType.DOUBLE ? Float64Array.from(inv) : Float32Array.from(inv));
  const scaled = b.op('Mul', [dy, b.op('Mul', [pooledOnes, invCount])]);
  // col2im with a ones kernel, depthwise: measured 1.5× faster than folding the channels into the
  // batch ([N·C, 1, H, W]), and 3–5× faster than a broadcast (Expand) for kernel = stride.
  const w = b.op('Expand', [b.scalarLike(1, x(0)), b.ints([c, 1, ...kernel])]);
  const span = out.map((o, a) => g.strides[a] * (o - 1) + g.dilations[a] * (kernel[a] - 1) + 1 - g.pads[a]);
  const endPads = span.map((s, a) => Math.max(0, s - spatial[a]));
  const dX = b.op('ConvTranspose', [scaled, w], {
    kernel_shape: attr.ints(kernel), strides: attr.ints(g.strides), dilations: attr.ints(g.dilations), pads: attr.ints([...g.pads.slice(0, n), ...endPads]), group: attr.int(c),
  });
  return [b.pad(dX, [0, 0, ...span.map(() => 0), 0, 0, ...span.map((s, a) => Math.max(0, spatial[a] - s))])];
};
