// Shape rules of the neural-network ops: convolutions, pooling, normalization, matrix products.
import { DataType } from '../dtype';
import { attrInt, attrInts, Dim } from '../ir';
import { convGeometry } from '../conv-geometry';
import { InferContext, ShapeRule, broadcastShapes, normAxis } from '../shape-inference';

/** ONNX Runtime refuses kernels with a size below 1; so do we, at the user's node. */
function checkKernel(fail: (m: string) => never, kernel: readonly Dim[]): void {
  if (kernel.some((k) => typeof k === 'number' && !(Number.isInteger(k) && k >= 1))) fail(`kernel_shape must hold sizes of at least 1, got [${kernel.join(', ')}]`);
}

/** ONNX Runtime refuses a window (dilated kernel) larger than the padded input: an output below 1. */
function checkOutput(ctx: InferContext, inSpatial: readonly Dim[], out: readonly (number | null)[]): void {
  if (out.some((d) => d !== null && d < 1)) ctx.refuse(`its window (kernel_shape, dilations, pads, strides) does not fit the input's spatial size [${inSpatial.join(', ')}]: the output would be [${out.join(', ')}]`);
}

export const conv: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  const w = ctx.req(1);
  const group = attrInt(ctx.node, 'group', 1);
  if (!(Number.isInteger(group) && group >= 1)) ctx.fail(`group must be a whole number of at least 1, got ${group}`);
  if (!x.shape || !w.shape) return [{ dtype: x.dtype }];
  const [cin, wcin] = [x.shape[1], w.shape[1]];
  if (typeof cin === 'number' && typeof wcin === 'number' && cin !== wcin * group) ctx.fail(`the input has ${cin} channels but the weights take ${wcin} per group × group ${group}`);
  const kernel = (attrInts(ctx.node, 'kernel_shape') ?? w.shape.slice(2)) as readonly Dim[];
  if (!kernel.every((k) => typeof k === 'number')) ctx.fail('the kernel size must be known');
  checkKernel(ctx.fail.bind(ctx), kernel);
  const g = convGeometry(ctx.node, x.shape.slice(2), kernel as number[]);
  checkOutput(ctx, x.shape.slice(2), g.outSpatial);
  return [{ dtype: x.dtype, shape: [x.shape[0], w.shape[0], ...g.outSpatial] }];
};

export const convTranspose: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  const w = ctx.req(1);
  if (!x.shape || !w.shape) return [{ dtype: x.dtype }];
  const n = x.shape.length - 2;
  const group = attrInt(ctx.node, 'group', 1);
  const kernel = attrInts(ctx.node, 'kernel_shape') ?? (w.shape.slice(2) as number[]);
  const strides = attrInts(ctx.node, 'strides') ?? new Array<number>(n).fill(1);
  const dil = attrInts(ctx.node, 'dilations') ?? new Array<number>(n).fill(1);
  const pads = attrInts(ctx.node, 'pads') ?? new Array<number>(2 * n).fill(0);
  const outPad = attrInts(ctx.node, 'output_padding') ?? new Array<number>(n).fill(0);
  const explicit = attrInts(ctx.node, 'output_shape');
  const spatial: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const s = x.shape[i + 2];
    if (explicit) spatial.push(explicit[i]);
    else spatial.push(typeof s === 'number' ? strides[i] * (s - 1) + outPad[i] + (kernel[i] - 1) * dil[i] + 1 - pads[i] - pads[i + n] : null);
  }
  const cout = typeof w.shape[1] === 'number' ? w.shape[1] * group : null;
  return [{ dtype: x.dtype, shape: [x.shape[0], cout, ...spatial] }];
};

export const pool: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  if (!x.shape) return [{ dtype: x.dtype }, { dtype: DataType.INT64 }];
  // kernel_shape's presence and sizes are checked with the other attributes (node-checks.ts).
  const kernel = attrInts(ctx.node, 'kernel_shape') ?? ctx.fail('kernel_shape is required');
  const g = convGeometry(ctx.node, x.shape.slice(2), kernel);
  checkOutput(ctx, x.shape.slice(2), g.outSpatial);
  const shape = [x.shape[0], x.shape[1], ...g.outSpatial];
  return [{ dtype: x.dtype, shape }, { dtype: DataType.INT64, shape }];
};

export const globalPool: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  return [{ dtype: x.dtype, shape: x.shape ? [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)] : undefined }];
};

export const batchNorm: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  const stat = { dtype: x.dtype, shape: x.shape ? [x.shape[1]] : undefined };
  return [{ dtype: x.dtype, shape: x.shape }, stat, stat, stat, stat];
};

export const layerNorm: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  const u = attrInt(ctx.node, 'stash_type', DataType.FLOAT) as DataType; // Mean and InvStdDev have the stash type
  if (!x.shape) return [{ dtype: x.dtype }, { dtype: u }, { dtype: u }];
  const rank = x.shape.length;
  const a = normAxis(ctx, attrInt(ctx.node, 'axis', -1), rank);
  const stat = x.shape.map((d, i) => (i < a ? d : 1));
  return [{ dtype: x.dtype, shape: x.shape }, { dtype: u, shape: stat }, { dtype: u, shape: stat }];
};

export const matMul: ShapeRule = (ctx) => {
  const a = ctx.req(0);
  const b = ctx.req(1);
  if (!a.shape || !b.shape) return [{ dtype: a.dtype }];
  const sa = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
  const sb = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
  const [k1, k2] = [sa[sa.length - 1], sb[sb.length - 2]];
  if (typeof k1 === 'number' && typeof k2 === 'number' && k1 !== k2) ctx.refuse(`it multiplies [${a.shape.join(', ')}] by [${b.shape.join(', ')}]: the inner sizes ${k1} and ${k2} differ`);
  const batch = broadcastShapes(ctx, [sa.slice(0, -2), sb.slice(0, -2)]) ?? [];
  const shape: Dim[] = [...batch];
  if (a.shape.length > 1) shape.push(sa[sa.length - 2]);
  if (b.shape.length > 1) shape.push(sb[sb.length - 1]);
  return [{ dtype: a.dtype, shape }];
};

export const gemm: ShapeRule = (ctx) => {
  const a = ctx.req(0);
  const b = ctx.req(1);
  if (!a.shape || !b.shape) return [{ dtype: a.dtype }];
  if (a.shape.length !== 2 || b.shape.length !== 2) ctx.refuse(`its inputs must be matrices (rank 2), got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  const m = attrInt(ctx.node, 'transA', 0) ? a.shape[1] : a.shape[0];
  const n = attrInt(ctx.node, 'transB', 0) ? b.shape[0] : b.shape[1];
  const ka = attrInt(ctx.node, 'transA', 0) ? a.shape[0] : a.shape[1];
  const kb = attrInt(ctx.node, 'transB', 0) ? b.shape[1] : b.shape[0];
  if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb) ctx.refuse(`it multiplies [${a.shape.join(', ')}] by [${b.shape.join(', ')}] (transA ${attrInt(ctx.node, 'transA', 0)}, transB ${attrInt(ctx.node, 'transB', 0)}): the inner sizes ${ka} and ${kb} differ`);
  return [{ dtype: a.dtype, shape: [m, n] }];
};

export const dropout: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  return [{ dtype: x.dtype, shape: x.shape }, { dtype: DataType.BOOL, shape: x.shape }];
};

export const lossRule: ShapeRule = (ctx) => {
  const x = ctx.req(0);
  const reduction = ctx.node.attributes.get('reduction');
  const none = reduction?.type === 'string' && reduction.value === 'none';
  return [{ dtype: x.dtype, shape: none ? x.shape?.filter((_, i) => i !== 1) : [] }, { dtype: x.dtype, shape: x.shape }];
};
